"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { createQueryClient } from "./query-client";
import { SIGNED_OUT_PATHS, signInUrl } from "./shell/sign-in-path";

function redirectToSignIn(): void {
  const { pathname, search } = window.location;
  if (SIGNED_OUT_PATHS.includes(pathname)) return;
  window.location.assign(signInUrl(pathname + search));
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => createQueryClient(redirectToSignIn));
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
