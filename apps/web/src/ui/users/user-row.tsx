"use client";

import { type IssuedCredential, roleSchema, type UserInfo } from "@switchyard/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { errorMessage } from "../api/api-request-error";
import { auditHref } from "../queries/audit";
import { deleteUser, resetPassword, updateUser, userKeys } from "../queries/users";

function stateOf(user: UserInfo): string {
  if (user.disabledAt) return "disabled";
  if (user.inviteExpiresAt) return "invited";
  if (user.mustChangePassword) return "must change password";
  return "active";
}

/**
 * One user: role, disable/enable, reset password, two-step delete. The server refuses (409) to take
 * the last active admin's rights; its message is shown in the row.
 */
export function UserRow({
  user,
  isSelf,
  onIssued,
}: {
  user: UserInfo;
  isSelf: boolean;
  onIssued: (issued: IssuedCredential) => void;
}) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const settle = () => void queryClient.invalidateQueries({ queryKey: userKeys.all });
  const update = useMutation({
    mutationFn: (patch: Parameters<typeof updateUser>[1]) => updateUser(user.id, patch),
    onSettled: settle,
  });
  const reset = useMutation({
    mutationFn: (delivery: Parameters<typeof resetPassword>[1]) => resetPassword(user.id, delivery),
    onSuccess: onIssued,
    onSettled: settle,
  });
  const remove = useMutation({ mutationFn: () => deleteUser(user.id), onSettled: settle });
  const error = update.error ?? reset.error ?? remove.error;
  const busy = update.isPending || reset.isPending || remove.isPending;
  const id = user.email;

  return (
    <tr data-testid={`user-row-${id}`} data-state={stateOf(user)}>
      <td>
        {user.email} {isSelf && <span className="muted small">(you)</span>}
      </td>
      <td>
        <select
          aria-label={`Role of ${user.email}`}
          value={user.role}
          disabled={busy}
          onChange={(event) => update.mutate({ role: roleSchema.parse(event.target.value) })}
          data-testid={`user-role-${id}`}
        >
          {roleSchema.options.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </td>
      <td>{stateOf(user)}</td>
      <td className="muted small">{user.lastSeenAt ? new Date(user.lastSeenAt).toLocaleString() : "—"}</td>
      <td className="actions">
        <button
          type="button"
          className="button small"
          disabled={busy}
          onClick={() => update.mutate({ disabled: !user.disabledAt })}
          data-testid={`user-disable-${id}`}
        >
          {user.disabledAt ? "Enable" : "Disable"}
        </button>
        <button
          type="button"
          className="button small"
          disabled={busy}
          onClick={() => reset.mutate("one_time_password")}
          data-testid={`user-reset-${id}`}
        >
          Reset password
        </button>
        <button
          type="button"
          className="button small"
          disabled={busy}
          onClick={() => reset.mutate("invite")}
          data-testid={`user-invite-${id}`}
        >
          Invite link
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="button small danger"
              disabled={busy}
              onClick={() => remove.mutate(undefined, { onSettled: () => setConfirming(false) })}
              data-testid={`confirm-delete-user-${id}`}
            >
              Yes, delete
            </button>
            <button type="button" className="button small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button small danger-outline"
            disabled={busy}
            onClick={() => setConfirming(true)}
            data-testid={`user-delete-${id}`}
          >
            Delete
          </button>
        )}
        <Link href={auditHref({ target: user.id })} className="button small">
          Audit
        </Link>
        {error && (
          <span className="form-error" role="alert" data-testid={`user-error-${id}`}>
            {errorMessage(error)}
          </span>
        )}
      </td>
    </tr>
  );
}
