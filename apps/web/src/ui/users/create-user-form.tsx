"use client";

import { type CredentialDelivery, type IssuedCredential, type Role, roleSchema } from "@switchyard/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiRequestError, errorMessage } from "../api/api-request-error";
import { createUser, userKeys } from "../queries/users";

/** E-mail, role and how the first password reaches the user (one-time password or invite link). */
export function CreateUserForm({ onIssued }: { onIssued: (issued: IssuedCredential) => void }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [delivery, setDelivery] = useState<CredentialDelivery>("one_time_password");
  const mutation = useMutation({
    mutationFn: createUser,
    onSuccess: (issued) => {
      setEmail("");
      onIssued(issued);
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
    },
  });

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    mutation.mutate({ email: email.trim(), role, delivery });
  }

  const field = mutation.error instanceof ApiRequestError ? mutation.error.field : undefined;
  return (
    <form
      className="inline-form"
      onSubmit={handleSubmit}
      aria-label="Add user"
      data-testid="create-user-form"
    >
      <label className="grow">
        E-mail
        <input
          name="email"
          type="email"
          required
          placeholder="oncall@example.com"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          aria-invalid={field === "email"}
        />
      </label>
      <label>
        Role
        <select name="role" value={role} onChange={(event) => setRole(roleSchema.parse(event.target.value))}>
          {roleSchema.options.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        First password
        <select
          name="delivery"
          value={delivery}
          onChange={(event) => setDelivery(event.target.value === "invite" ? "invite" : "one_time_password")}
        >
          <option value="one_time_password">one-time password</option>
          <option value="invite">invite link</option>
        </select>
      </label>
      <button type="submit" className="button primary" disabled={mutation.isPending}>
        {mutation.isPending ? "Adding…" : "Add user"}
      </button>
      {mutation.isError && (
        <p className="form-error" role="alert" data-testid="create-user-error">
          {errorMessage(mutation.error)}
        </p>
      )}
    </form>
  );
}
