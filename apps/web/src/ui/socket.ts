import {
  type Attachment,
  type HostSummary,
  type ListenMap,
  type Network,
  type Operation,
  type ServerToUiEvents,
  serverToUiEvents,
  UiEvents,
} from "@switchyard/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { io, type Socket } from "socket.io-client";
import type { z } from "zod";
import { type AttachmentFilter, attachmentKeys, patchAttachmentList } from "./queries/attachments";
import { patchHostDetail, patchHostList } from "./queries/cache-patches";
import { type Coalescer, createCoalescer } from "./queries/coalesce";
import { eventKeys } from "./queries/events";
import { fetchFleetRows, fleetKeys, patchFleetRows, patchFleetStatus } from "./queries/fleet";
import { leakKeys } from "./queries/leaks";
import { networkKeys, patchNetworkList } from "./queries/networks";
import {
  newerOperation,
  type OperationFilter,
  operationKeys,
  patchOperationList,
} from "./queries/operations";
import { poolKeys } from "./queries/pools";
import { queryKeys } from "./queries/query-keys";

const REFUSED_RETRY_MS = 5_000;
/** Host ids per `?hosts=` request (about 7 KB of URL); beyond it the whole summary is refetched. */
const ROWS_PER_REQUEST = 200;

/**
 * The UI's one socket.io client (namespace /ui, cookie auth). Its events only patch or invalidate
 * the React Query cache; it holds no state of its own. Returns a function that disconnects it.
 */
export function connectLiveUpdates(queryClient: QueryClient): () => void {
  // WebSocket only: no long-polling requests that the HTTP request handler could also see.
  const socket: Socket<ListenMap<ServerToUiEvents>> = io("/ui", {
    withCredentials: true,
    transports: ["websocket"],
  });
  /** Parses the event with its catalog schema; a payload this build cannot read falls back to a refetch. */
  const on = <E extends keyof ServerToUiEvents>(
    event: E,
    apply: (payload: z.output<ServerToUiEvents[E]["message"]>) => void,
    refetch: () => void,
  ) => {
    // TypeScript cannot tie the union key to its own entry: this is that entry's schema.
    const schema = serverToUiEvents[event].message as unknown as z.ZodType<
      z.output<ServerToUiEvents[E]["message"]>
    >;
    socket.on(event as typeof UiEvents.hostChanged, (payload: unknown) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) apply(parsed.data);
      else refetch();
    });
  };
  // Hosts whose map row is stale: fetched together, at most once per 250 ms (never the whole fleet).
  const staleRows = createCoalescer((ids) => void refreshFleetRows(queryClient, ids));

  // Events may have been missed while (re)connecting: refetch everything that is live.
  socket.on("connect", () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.hosts });
    for (const queryKey of [
      fleetKeys.all,
      networkKeys.all,
      attachmentKeys.all,
      operationKeys.all,
      poolKeys.all,
      leakKeys.all,
      eventKeys.all,
    ])
      void queryClient.invalidateQueries({ queryKey });
  });

  const refetch = (queryKey: readonly unknown[]) => () => void queryClient.invalidateQueries({ queryKey });

  on(
    UiEvents.operationChanged,
    ({ operation }) => applyOperationChanged(queryClient, operation),
    refetch(operationKeys.all),
  );

  on(
    UiEvents.attachmentChanged,
    ({ attachment }) => {
      applyAttachmentChanged(queryClient, attachment);
      staleRows.add(attachment.hostId); // its networks and drift
      // Attachment counts and pool usage follow from it.
      void queryClient.invalidateQueries({ queryKey: networkKeys.all });
      void queryClient.invalidateQueries({ queryKey: poolKeys.all });
    },
    refetch(attachmentKeys.all),
  );

  on(
    UiEvents.networkChanged,
    ({ networkId, network }) => {
      applyNetworkChanged(queryClient, networkId, network);
      void queryClient.invalidateQueries({ queryKey: poolKeys.list });
    },
    refetch(networkKeys.all),
  );

  // Drift an agent repaired or endpoints it failed: the events lists (the ledger has its own event).
  socket.on(UiEvents.reconcileEvents, () => {
    void queryClient.invalidateQueries({ queryKey: eventKeys.all });
  });

  // Findings raised, resolved, released or probed: refetch the leak lists (and the nav count).
  socket.on(UiEvents.leaksChanged, () => {
    void queryClient.invalidateQueries({ queryKey: leakKeys.all });
    void queryClient.invalidateQueries({ queryKey: fleetKeys.summary }); // per-host leak counts
  });

  on(
    UiEvents.hostChanged,
    ({ host }) => applyHostChanged(queryClient, staleRows, host),
    () => void queryClient.invalidateQueries(),
  );

  on(
    UiEvents.inventoryChanged,
    ({ hostId }) => {
      // Refetched only where a page shows it (an expanded host on the map, the host page).
      void queryClient.invalidateQueries({ queryKey: queryKeys.host(hostId) });
      staleRows.add(hostId);
    },
    () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.hosts });
      void queryClient.invalidateQueries({ queryKey: fleetKeys.summary });
    },
  );

  // A refusal by the server (e.g. an expired session) stops socket.io's own retries: re-check the
  // session (a 401 sends the browser to sign-in) and try again a little later.
  let retry: ReturnType<typeof setTimeout> | undefined;
  socket.on("connect_error", () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.me });
    if (socket.active) return;
    clearTimeout(retry);
    retry = setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
  });

  return () => {
    clearTimeout(retry);
    staleRows.cancel();
    socket.disconnect();
  };
}

/** Fetches the rows of these hosts only and puts them into the cached fleet summary. */
async function refreshFleetRows(queryClient: QueryClient, ids: string[]): Promise<void> {
  if (!queryClient.getQueryData(fleetKeys.summary)) return; // no map open: nothing to patch
  if (ids.length > ROWS_PER_REQUEST) {
    // Half the fleet changed at once: one request for the whole (small) summary is cheaper.
    void queryClient.invalidateQueries({ queryKey: fleetKeys.summary });
    return;
  }
  try {
    const rows = await fetchFleetRows(ids);
    const found = new Set(rows.map((r) => r.id));
    queryClient.setQueryData(fleetKeys.summary, (summary: Parameters<typeof patchFleetRows>[0]) =>
      patchFleetRows(
        summary,
        rows,
        ids.filter((id) => !found.has(id)),
      ),
    );
  } catch {
    void queryClient.invalidateQueries({ queryKey: fleetKeys.summary });
  }
}

function applyHostChanged(queryClient: QueryClient, staleRows: Coalescer, host: HostSummary): void {
  queryClient.setQueryData(queryKeys.hostList, (hosts: HostSummary[] | undefined) =>
    patchHostList(hosts, host),
  );
  queryClient.setQueryData(queryKeys.host(host.id), (detail: Parameters<typeof patchHostDetail>[0]) =>
    patchHostDetail(detail, host),
  );
  const summary = queryClient.getQueryData<Parameters<typeof patchFleetStatus>[0]>(fleetKeys.summary);
  const patched = patchFleetStatus(summary, host);
  if (patched) queryClient.setQueryData(fleetKeys.summary, patched);
  else if (summary) staleRows.add(host.id); // a new host: its row
}

function applyOperationChanged(queryClient: QueryClient, operation: Operation): void {
  queryClient.setQueryData(operationKeys.detail(operation.id), (current: Operation | undefined) =>
    newerOperation(current, operation),
  );
  for (const [queryKey] of queryClient.getQueriesData<Operation[]>({ queryKey: operationKeys.lists })) {
    const filter = (queryKey[2] ?? {}) as OperationFilter;
    queryClient.setQueryData(queryKey, (list: Operation[] | undefined) =>
      patchOperationList(list, operation, filter),
    );
  }
}

function applyAttachmentChanged(queryClient: QueryClient, attachment: Attachment): void {
  for (const [queryKey] of queryClient.getQueriesData<Attachment[]>({ queryKey: attachmentKeys.lists })) {
    const filter = (queryKey[2] ?? {}) as AttachmentFilter;
    queryClient.setQueryData(queryKey, (list: Attachment[] | undefined) =>
      patchAttachmentList(list, attachment, filter),
    );
  }
}

function applyNetworkChanged(queryClient: QueryClient, networkId: string, network: Network | null): void {
  queryClient.setQueryData(networkKeys.list, (list: Network[] | undefined) =>
    patchNetworkList(list, networkId, network),
  );
  if (network) queryClient.setQueryData(networkKeys.detail(networkId), network);
  else void queryClient.invalidateQueries({ queryKey: networkKeys.detail(networkId) });
}
