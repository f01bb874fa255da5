"use client";

import { useQuery } from "@tanstack/react-query";
import { operationQuery, operationSteps } from "../queries/operations";
import { QueryState } from "../shell/query-state";

/**
 * Live progress of one operation: recorded -> sent to the agent -> applied, or failed with the agent's
 * error text. Its data is the cached operation, which `operation:changed` events keep current.
 * Test ids: `operation-progress` (data-status, data-operation-id), `operation-step-<pending|sent|finished>`
 * (data-state), `operation-error`.
 */
export function OperationProgress({ operationId }: { operationId: string }) {
  const query = useQuery(operationQuery(operationId));
  const operation = query.data;
  if (!operation) return <QueryState error={query.error} />;
  const steps = operationSteps(operation);
  return (
    <div
      className={`operation-progress op-progress-${operation.status}`}
      data-testid="operation-progress"
      data-status={operation.status}
      data-operation-id={operation.id}
    >
      <ol className="progress-steps">
        {steps.map((step) => (
          <li
            key={step.key}
            className={`progress-step step-${step.state}`}
            data-testid={`operation-step-${step.key}`}
            data-state={step.state}
            aria-current={step.state === "current" ? "step" : undefined}
          >
            <span className="step-dot" aria-hidden="true" />
            {step.label}
          </li>
        ))}
      </ol>
      {operation.status === "pending" && (
        <p className="muted small">
          Waiting to be sent: the host's agent may be offline; it gets it on return.
        </p>
      )}
      {operation.status === "failed" && (
        <pre className="operation-error" role="alert" data-testid="operation-error">
          {operation.error ?? "failed (no error text)"}
        </pre>
      )}
      {operation.status === "applied" && operation.durationMs !== null && (
        <p className="muted small">Applied by the agent in {Math.round(operation.durationMs)} ms.</p>
      )}
    </div>
  );
}
