"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { connectLiveUpdates } from "./socket";

/** Keeps the socket.io connection open while a signed-in page is shown. Renders nothing. */
export function LiveUpdates() {
  const queryClient = useQueryClient();
  useEffect(() => connectLiveUpdates(queryClient), [queryClient]);
  return null;
}
