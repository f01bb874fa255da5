import type { IssuedCredential } from "@switchyard/protocol";
import { CopyButton } from "../hosts/copy-button";

/** A one-time password or invite link, shown once after a create or a reset. */
export function IssuedSecret({ issued, onDismiss }: { issued: IssuedCredential; onDismiss: () => void }) {
  const secret = issued.oneTimePassword ?? issued.invite?.url ?? null;
  return (
    <div className="card enrollment" role="status" data-testid="issued-secret">
      <p>
        {issued.invite
          ? `Invite link for ${issued.user.email}, valid until ${new Date(issued.invite.expiresAt).toLocaleString()}:`
          : `One-time password for ${issued.user.email} (they choose their own at the first sign-in):`}
      </p>
      {secret && (
        <div className="copy-line">
          <code className="mono" data-testid="issued-secret-value">
            {secret}
          </code>
          <CopyButton text={secret} />
        </div>
      )}
      <p className="muted small">Shown only now. Send it to the user over a channel you trust.</p>
      <button type="button" className="button small" onClick={onDismiss}>
        Done
      </button>
    </div>
  );
}
