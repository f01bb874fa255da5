"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Notices } from "./operations/notices";
import { connectLiveUpdates } from "./socket";

/**
 * Keeps the socket.io connection open while a signed-in page is shown, and shows the notices of
 * operations this tab asked for (their status arrives through the cache).
 */
export function LiveUpdates() {
  const queryClient = useQueryClient();
  useEffect(() => connectLiveUpdates(queryClient), [queryClient]);
  return <Notices />;
}
