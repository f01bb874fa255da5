"use client";

import type { CreatedHost } from "@switchyard/protocol";
import { formatTimestamp } from "../format/relative-time";
import { agentCommand } from "./agent-command";
import { CopyButton } from "./copy-button";

/** Shown once after creating a host: the token is never retrievable again. */
export function EnrollmentResult({ created, onDismiss }: { created: CreatedHost; onDismiss: () => void }) {
  const command = agentCommand(window.location.origin, created.enrollment.token);
  return (
    <section className="card enrollment" data-testid="enrollment-result" aria-label="Enrollment token">
      <header>
        <h2>
          Host <span className="mono">{created.host.name}</span> created
        </h2>
        <button type="button" className="button small" onClick={onDismiss}>
          Done
        </button>
      </header>
      <p>
        Run this on the host as root. The token is shown only now and works once, until{" "}
        {formatTimestamp(created.enrollment.expiresAt)}.
      </p>
      <div className="copy-line">
        <code data-testid="agent-command">{command}</code>
        <CopyButton text={command} label="Copy command" testId="copy-agent-command" />
      </div>
      <div className="copy-line">
        <span className="muted">Token</span>
        <code data-testid="enrollment-token">{created.enrollment.token}</code>
        <CopyButton text={created.enrollment.token} label="Copy token" />
      </div>
    </section>
  );
}
