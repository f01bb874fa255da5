import type { ReactNode } from "react";
import { errorMessage } from "../api/api-request-error";

/** The loading / error placeholder every data view shows before it has data. */
export function QueryState({ error, children }: { error: unknown; children?: ReactNode }) {
  if (error) {
    return (
      <div className="query-state error" role="alert">
        {errorMessage(error)}
      </div>
    );
  }
  return <div className="query-state">{children ?? "Loading…"}</div>;
}
