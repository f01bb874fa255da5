"use client";

import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiRequestError, errorMessage } from "../api/api-request-error";
import { PasswordField } from "../forms/password-field";
import { queryKeys } from "../queries/query-keys";
import { changePassword } from "../queries/users";

/**
 * The signed-in user's own password. `forced`: they signed in with a one-time password, and the
 * server allows nothing else until it is changed (the shell shows only this form then).
 */
export function ChangePasswordForm({ forced = false }: { forced?: boolean }) {
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [submitting, setSubmitting] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setDone(false);
    if (next !== again) {
      setError(new Error("The new passwords differ."));
      return;
    }
    setSubmitting(true);
    try {
      await changePassword({ currentPassword: current, newPassword: next });
      setCurrent("");
      setNext("");
      setAgain("");
      setDone(true);
      // me.mustChangePassword is now false: the shell shows the app again.
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  }

  const field = error instanceof ApiRequestError ? error.field : undefined;
  return (
    <form
      className="sign-in-form card"
      onSubmit={handleSubmit}
      aria-label="Change password"
      data-testid="change-password-form"
    >
      <h1>{forced ? "Choose your password" : "Change password"}</h1>
      {forced && <p className="muted">You signed in with a one-time password. Choose your own to go on.</p>}
      <PasswordField
        label="Current password"
        name="currentPassword"
        autoComplete="current-password"
        value={current}
        onChange={setCurrent}
        invalid={field === "currentPassword"}
      />
      <PasswordField
        label="New password (at least 10 characters)"
        name="newPassword"
        autoComplete="new-password"
        value={next}
        onChange={setNext}
        invalid={field === "newPassword"}
      />
      <PasswordField
        label="New password again"
        name="again"
        autoComplete="new-password"
        value={again}
        onChange={setAgain}
      />
      {error !== null && (
        <p className="form-error" role="alert" data-testid="change-password-error">
          {errorMessage(error)}
        </p>
      )}
      {done && (
        <p className="notice-line" role="status" data-testid="password-changed">
          Password changed; your other sessions were signed out.
        </p>
      )}
      <button type="submit" className="button primary" disabled={submitting}>
        {submitting ? "Saving…" : "Change password"}
      </button>
    </form>
  );
}
