import {
  apiRoutes,
  FINISHED_OPERATION_STATUSES,
  type Operation,
  type OperationStatus,
} from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

export interface OperationFilter {
  status?: OperationStatus;
  host?: string;
  network?: string;
  attachment?: string;
}

const OPERATIONS_PAGE_SIZE = 200;

export const operationKeys = {
  all: ["operations"] as const,
  lists: ["operations", "list"] as const,
  list: (filter: OperationFilter) => ["operations", "list", filter] as const,
  detail: (id: string) => ["operations", "detail", id] as const,
};

/** The ledger, newest first. */
export function operationsQuery(filter: OperationFilter = {}) {
  return queryOptions({
    queryKey: operationKeys.list(filter),
    queryFn: async () =>
      (await callApi(apiRoutes.listOperations, { query: { ...filter, limit: OPERATIONS_PAGE_SIZE } }))
        .operations,
  });
}

/**
 * One operation. Socket events keep it current through the cache; while it is unfinished it is also
 * re-read now and then, in case an event was missed.
 */
export function operationQuery(id: string) {
  return queryOptions({
    queryKey: operationKeys.detail(id),
    queryFn: () => callApi(apiRoutes.getOperation, { params: { id } }),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status && isFinished(status) ? false : 10_000;
    },
  });
}

export function isFinished(status: OperationStatus): boolean {
  return (FINISHED_OPERATION_STATUSES as readonly string[]).includes(status);
}

/** Status order, so a late event never moves an operation backwards in the cache. */
const rank: Record<OperationStatus, number> = { pending: 0, sent: 1, applied: 2, failed: 2 };

/** The newer of two versions of one operation (finished beats unfinished; then later timestamps). */
export function newerOperation(current: Operation | undefined, incoming: Operation): Operation {
  if (!current) return incoming;
  if (rank[incoming.status] !== rank[current.status])
    return rank[incoming.status] > rank[current.status] ? incoming : current;
  return incoming;
}

function matches(operation: Operation, filter: OperationFilter): boolean {
  if (filter.status && operation.status !== filter.status) return false;
  if (filter.host && filter.host !== operation.hostId && filter.host !== operation.hostName) return false;
  if (filter.network && filter.network !== operation.networkId && filter.network !== operation.networkName)
    return false;
  if (filter.attachment && filter.attachment !== operation.attachmentId) return false;
  return true;
}

/** Newest first (createdAt, then id for ties), as the server lists. */
function compareOperations(a: Operation, b: Operation): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * operation:changed on a cached list: replaces a known operation (never with an older status), adds a
 * new one that matches the list's filter in its place (newest first, at most `limit`), and removes one
 * that left the filter (a `sent` list loses the operation once it is applied).
 */
export function patchOperationList(
  operations: Operation[] | undefined,
  changed: Operation,
  filter: OperationFilter,
  limit = OPERATIONS_PAGE_SIZE,
): Operation[] | undefined {
  if (!operations) return operations;
  const current = operations.find((op) => op.id === changed.id);
  const next = newerOperation(current, changed);
  if (!matches(next, filter)) return current ? operations.filter((op) => op.id !== changed.id) : operations;
  if (current) return operations.map((op) => (op.id === changed.id ? next : op));
  return [...operations, next].sort(compareOperations).slice(0, limit);
}

/** One step of an operation's progress as the attach panel shows it. */
export interface ProgressStep {
  key: "pending" | "sent" | "finished";
  label: string;
  state: "done" | "current" | "todo" | "failed";
}

/** Recorded -> sent to the agent -> applied (or failed): which steps are done, current, failed. */
export function operationSteps(operation: Pick<Operation, "status" | "kind" | "sentAt">): ProgressStep[] {
  const finishedLabel =
    operation.status === "failed" ? "Failed" : operation.kind === "detach" ? "Removed" : "Applied";
  const states: Record<OperationStatus, ProgressStep["state"][]> = {
    pending: ["current", "todo", "todo"],
    sent: ["done", "current", "todo"],
    applied: ["done", "done", "done"],
    failed: ["done", operation.sentAt ? "done" : "todo", "failed"],
  };
  const [pending, sent, finished] = states[operation.status];
  return [
    { key: "pending", label: "Recorded", state: pending ?? "todo" },
    { key: "sent", label: "Sent to agent", state: sent ?? "todo" },
    { key: "finished", label: finishedLabel, state: finished ?? "todo" },
  ];
}

/** One line for a notice: "attach web1 to vlan100 on host1: applied". */
export function describeOperation(operation: Operation, containerName?: string): string {
  const who = containerName ? `${containerName} ` : "";
  const verb = operation.kind === "attach" ? `attach ${who}to` : `detach ${who}from`;
  const tail = operation.status === "failed" && operation.error ? `: ${operation.error}` : "";
  return `${verb} ${operation.networkName} on ${operation.hostName}: ${operation.status}${tail}`;
}
