"use client";

import type { CreatedHost } from "@switchyard/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiRequestError, errorMessage } from "../api/api-request-error";
import { fleetKeys } from "../queries/fleet";
import { createHost } from "../queries/hosts";
import { queryKeys } from "../queries/query-keys";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";

export function AddHostForm({ onCreated }: { onCreated: (created: CreatedHost) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const canChange = useHasRole("operator");
  const mutation = useMutation({
    mutationFn: createHost,
    onSuccess: (created) => {
      setName("");
      setDescription("");
      onCreated(created);
      void queryClient.invalidateQueries({ queryKey: queryKeys.hosts });
      void queryClient.invalidateQueries({ queryKey: fleetKeys.all });
    },
  });

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = description.trim();
    mutation.mutate({ name: name.trim(), ...(trimmed ? { description: trimmed } : {}) });
  }

  const field = mutation.error instanceof ApiRequestError ? mutation.error.field : undefined;
  return (
    <form className="inline-form" onSubmit={handleSubmit} aria-label="Add host" data-testid="add-host-form">
      <label>
        Name
        <input
          name="name"
          required
          placeholder="host1"
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-invalid={field === "name"}
        />
      </label>
      <label className="grow">
        Description
        <input
          name="description"
          placeholder="optional"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          aria-invalid={field === "description"}
        />
      </label>
      <button
        type="submit"
        className="button primary"
        disabled={mutation.isPending || !canChange}
        title={canChange ? undefined : VIEWER_TITLE}
        data-testid="add-host-submit"
      >
        {mutation.isPending ? "Adding…" : "Add host"}
      </button>
      {mutation.isError && (
        <p className="form-error" role="alert" data-testid="add-host-error">
          {errorMessage(mutation.error)}
        </p>
      )}
    </form>
  );
}
