"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useSyncExternalStore } from "react";
import { describeOperation, isFinished, operationQuery } from "../queries/operations";
import {
  dismissNotice,
  noticeStore,
  pushNotice,
  unwatchOperation,
  type WatchedOperation,
} from "./notice-store";

/**
 * The notices (toasts) of a signed-in page, and one watcher per operation this tab asked for: when
 * the cached operation (kept current by socket events) finishes, a notice says how it ended.
 * Test ids: `toasts` (the region), `toast` (each; data-tone, data-status, data-operation-id).
 */
export function Notices() {
  const { notices, watched } = useSyncExternalStore(
    noticeStore.subscribe,
    noticeStore.getSnapshot,
    noticeStore.getServerSnapshot,
  );
  return (
    <>
      {watched.map((w) => (
        <OperationWatcher key={w.operationId} watched={w} />
      ))}
      <div className="toasts" aria-live="polite" data-testid="toasts">
        {notices.map((notice) => (
          <div
            key={notice.id}
            className={`toast toast-${notice.tone}`}
            role={notice.tone === "error" ? "alert" : "status"}
            data-testid="toast"
            data-tone={notice.tone}
            data-status={notice.status ?? ""}
            data-operation-id={notice.operationId ?? ""}
          >
            <span className="toast-text" title={notice.text}>
              {notice.text}
            </span>
            {notice.operationId && (
              <Link href="/operations" className="toast-link">
                ledger
              </Link>
            )}
            <button
              type="button"
              className="toast-close"
              aria-label="Dismiss"
              onClick={() => dismissNotice(notice.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </>
  );
}

function OperationWatcher({ watched }: { watched: WatchedOperation }) {
  const { data } = useQuery(operationQuery(watched.operationId));
  useEffect(() => {
    if (!data || !isFinished(data.status)) return;
    unwatchOperation(data.id);
    pushNotice(
      {
        tone: data.status === "applied" ? "success" : "error",
        text: describeOperation(data, watched.subject),
        operationId: data.id,
        status: data.status,
      },
      data.status === "failed" ? 15_000 : undefined,
    );
  }, [data, watched.subject]);
  return null;
}
