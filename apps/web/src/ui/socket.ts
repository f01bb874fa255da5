import {
  type HostSummary,
  hostChangedSchema,
  inventoryChangedSchema,
  type Topology,
  UiEvents,
} from "@switchyard/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { io } from "socket.io-client";
import { patchHostDetail, patchHostList, patchTopology } from "./queries/cache-patches";
import { queryKeys } from "./queries/query-keys";

const REFUSED_RETRY_MS = 5_000;

/**
 * The UI's one socket.io client (namespace /ui, cookie auth). Its events only patch or invalidate
 * the React Query cache; it holds no state of its own. Returns a function that disconnects it.
 */
export function connectLiveUpdates(queryClient: QueryClient): () => void {
  // WebSocket only: no long-polling requests that the HTTP request handler could also see.
  const socket = io("/ui", { withCredentials: true, transports: ["websocket"] });

  // Events may have been missed while (re)connecting: refetch everything that is live.
  socket.on("connect", () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.hosts });
    void queryClient.invalidateQueries({ queryKey: queryKeys.topology });
  });

  socket.on(UiEvents.hostChanged, (payload: unknown) => {
    const parsed = hostChangedSchema.safeParse(payload);
    if (parsed.success) applyHostChanged(queryClient, parsed.data.host);
    else void queryClient.invalidateQueries();
  });

  socket.on(UiEvents.inventoryChanged, (payload: unknown) => {
    const parsed = inventoryChangedSchema.safeParse(payload);
    if (parsed.success) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.host(parsed.data.hostId) });
    } else {
      void queryClient.invalidateQueries({ queryKey: queryKeys.hosts });
    }
    void queryClient.invalidateQueries({ queryKey: queryKeys.topology });
  });

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
    socket.disconnect();
  };
}

function applyHostChanged(queryClient: QueryClient, host: HostSummary): void {
  queryClient.setQueryData(queryKeys.hostList, (hosts: HostSummary[] | undefined) =>
    patchHostList(hosts, host),
  );
  queryClient.setQueryData(queryKeys.host(host.id), (detail: Parameters<typeof patchHostDetail>[0]) =>
    patchHostDetail(detail, host),
  );
  const topology = queryClient.getQueryData<Topology>(queryKeys.topology);
  const patched = patchTopology(topology, host);
  if (patched) queryClient.setQueryData(queryKeys.topology, patched);
  else void queryClient.invalidateQueries({ queryKey: queryKeys.topology });
}
