"use client";

import type { Attachment } from "@switchyard/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { errorMessage } from "../api/api-request-error";
import { watchOperation } from "../operations/notice-store";
import { attachmentKeys, detach } from "../queries/attachments";
import { networkKeys } from "../queries/networks";
import { newerOperation, operationKeys } from "../queries/operations";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";

/** Detach: the attachment goes to `detaching` until the agent removed it. Test id `detach-<attachment id>`. */
export function DetachButton({ attachment }: { attachment: Attachment }) {
  const queryClient = useQueryClient();
  const canChange = useHasRole("operator");
  const mutation = useMutation({
    mutationFn: () => detach(attachment.id),
    onSuccess: ({ operation, attachment: changed }) => {
      queryClient.setQueryData(operationKeys.detail(operation.id), (current: typeof operation | undefined) =>
        newerOperation(current, operation),
      );
      watchOperation({ operationId: operation.id, subject: attachment.container.ref });
      queryClient.setQueriesData({ queryKey: attachmentKeys.lists }, (list: Attachment[] | undefined) =>
        list?.map((a) => (a.id === changed.id ? changed : a)),
      );
      void queryClient.invalidateQueries({ queryKey: operationKeys.lists });
      void queryClient.invalidateQueries({ queryKey: networkKeys.all });
    },
  });
  if (attachment.status === "detaching" || attachment.status === "detached")
    return <span className="muted small">{attachment.status}…</span>;
  return (
    <span className="revoke">
      <button
        type="button"
        className="button small danger-outline"
        disabled={mutation.isPending || !canChange}
        title={canChange ? undefined : VIEWER_TITLE}
        onClick={() => mutation.mutate()}
        data-testid={`detach-${attachment.id}`}
      >
        {mutation.isPending ? "Detaching…" : "Detach"}
      </button>
      {mutation.isError && (
        <span className="form-error" role="alert" data-testid={`detach-error-${attachment.id}`}>
          {errorMessage(mutation.error)}
        </span>
      )}
    </span>
  );
}
