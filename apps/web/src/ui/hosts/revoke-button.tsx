"use client";

import type { HostSummary } from "@switchyard/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../api/api-request-error";
import { fleetKeys } from "../queries/fleet";
import { revokeHost } from "../queries/hosts";
import { queryKeys } from "../queries/query-keys";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";

/** Two-step revoke: the first click asks, the second one revokes. */
export function RevokeButton({ host }: { host: HostSummary }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const canChange = useHasRole("operator");
  const mutation = useMutation({
    mutationFn: () => revokeHost(host.id),
    onSettled: () => {
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: queryKeys.hosts });
      void queryClient.invalidateQueries({ queryKey: fleetKeys.all });
    },
  });

  if (host.status === "revoked") return <span className="muted">revoked</span>;
  if (!confirming) {
    return (
      <span className="revoke">
        <button
          type="button"
          className="button small danger-outline"
          disabled={!canChange}
          title={canChange ? undefined : VIEWER_TITLE}
          onClick={() => setConfirming(true)}
          data-testid={`revoke-${host.name}`}
        >
          Revoke
        </button>
        {mutation.isError && (
          <span className="form-error" role="alert">
            {errorMessage(mutation.error)}
          </span>
        )}
      </span>
    );
  }
  return (
    <span className="revoke confirming">
      <span>Revoke {host.name}? Its agent is disconnected for good.</span>
      <button
        type="button"
        className="button small danger"
        disabled={mutation.isPending}
        onClick={() => mutation.mutate()}
        data-testid={`confirm-revoke-${host.name}`}
      >
        {mutation.isPending ? "Revoking…" : "Yes, revoke"}
      </button>
      <button type="button" className="button small" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}
