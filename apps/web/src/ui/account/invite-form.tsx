"use client";

import { type FormEvent, useEffect, useState } from "react";
import { ApiRequestError, errorMessage } from "../api/api-request-error";
import { PasswordField } from "../forms/password-field";
import { acceptInvite } from "../queries/users";

/**
 * The page an invite link opens (`/invite#syi_...`): the token rides in the fragment, so it never
 * reaches a server log; the password chosen here signs the user in.
 */
export function InviteForm() {
  const [token, setToken] = useState<string | null>(null);
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  useEffect(() => setToken(window.location.hash.replace(/^#/, "") || ""), []);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (password !== again) {
      setError(new Error("The passwords differ."));
      return;
    }
    setSubmitting(true);
    try {
      await acceptInvite({ token: token ?? "", password });
      window.location.assign("/");
    } catch (caught) {
      setError(caught);
      setSubmitting(false);
    }
  }

  const field = error instanceof ApiRequestError ? error.field : undefined;
  return (
    <form
      className="sign-in-form card"
      onSubmit={handleSubmit}
      aria-label="Accept invite"
      data-testid="invite-form"
      data-hydrated={token !== null}
    >
      <h1>Switchyard</h1>
      <p className="muted">
        {token === ""
          ? "This link carries no invite; ask an admin for a new one."
          : "Choose your password to sign in."}
      </p>
      <PasswordField
        label="Password (at least 10 characters)"
        name="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        invalid={field === "password"}
      />
      <PasswordField
        label="Again"
        name="again"
        autoComplete="new-password"
        value={again}
        onChange={setAgain}
      />
      {error !== null && (
        <p className="form-error" role="alert" data-testid="invite-error">
          {errorMessage(error)}
        </p>
      )}
      <button type="submit" className="button primary" disabled={submitting || !token}>
        {submitting ? "Signing in…" : "Set password and sign in"}
      </button>
    </form>
  );
}
