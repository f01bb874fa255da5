"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { ApiRequestError, errorMessage } from "../api/api-request-error";
import { PasswordField } from "../forms/password-field";
import { meQuery, signIn } from "../queries/me";
import { queryKeys } from "../queries/query-keys";
import { safeReturnPath } from "../shell/sign-in-path";

export function SignInForm() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const alreadySignedIn = useQuery({ ...meQuery(), retry: false }).isSuccess;
  // Text typed before hydration is wiped when React takes over the inputs; tests wait for this flag.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  useEffect(() => {
    if (alreadySignedIn)
      window.location.replace(safeReturnPath(new URLSearchParams(window.location.search).get("next")));
  }, [alreadySignedIn]);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      await signIn({ email, password });
      queryClient.removeQueries({ queryKey: queryKeys.me });
      const next = new URLSearchParams(window.location.search).get("next");
      window.location.assign(safeReturnPath(next));
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
      aria-label="Sign in"
      data-testid="sign-in-form"
      data-hydrated={hydrated}
    >
      <h1>Switchyard</h1>
      <p className="muted">Sign in to the control plane.</p>
      <label>
        Email
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          aria-invalid={field === "email"}
        />
      </label>
      <PasswordField
        label="Password"
        name="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
        invalid={field === "password"}
      />
      {error !== null && (
        <p className="form-error" role="alert" data-testid="sign-in-error">
          {errorMessage(error)}
        </p>
      )}
      <button type="submit" className="button primary" disabled={submitting}>
        {submitting ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
