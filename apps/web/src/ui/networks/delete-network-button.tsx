"use client";

import type { Network } from "@switchyard/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "../api/api-request-error";
import { deleteNetwork, networkKeys } from "../queries/networks";
import { poolKeys } from "../queries/pools";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";

/**
 * Two-step delete. The server refuses (409) while attachments exist; its message is shown as is.
 * Test ids: `delete-network-<name>`, `confirm-delete-network-<name>`, `delete-network-error-<name>`.
 */
export function DeleteNetworkButton({ network, onDeleted }: { network: Network; onDeleted?: () => void }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const canChange = useHasRole("operator");
  const mutation = useMutation({
    mutationFn: () => deleteNetwork(network.id),
    onSuccess: () => {
      onDeleted?.();
      queryClient.setQueryData(networkKeys.list, (list: Network[] | undefined) =>
        list?.filter((n) => n.id !== network.id),
      );
    },
    onSettled: () => {
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: networkKeys.list });
      void queryClient.invalidateQueries({ queryKey: poolKeys.all });
    },
  });

  return (
    <span className={confirming ? "revoke confirming" : "revoke"}>
      {confirming ? (
        <>
          <span>Delete {network.name}?</span>
          <button
            type="button"
            className="button small danger"
            disabled={mutation.isPending}
            onClick={() => mutation.mutate()}
            data-testid={`confirm-delete-network-${network.name}`}
          >
            {mutation.isPending ? "Deleting…" : "Yes, delete"}
          </button>
          <button type="button" className="button small" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button
          type="button"
          className="button small danger-outline"
          disabled={!canChange}
          title={canChange ? undefined : VIEWER_TITLE}
          onClick={() => {
            mutation.reset();
            setConfirming(true);
          }}
          data-testid={`delete-network-${network.name}`}
        >
          Delete
        </button>
      )}
      {mutation.isError && !confirming && (
        <span className="form-error" role="alert" data-testid={`delete-network-error-${network.name}`}>
          {errorMessage(mutation.error)}
        </span>
      )}
    </span>
  );
}
