"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { createQueryClient } from "./query-client";
import { SIGN_IN_PATH, signInUrl } from "./shell/sign-in-path";

function redirectToSignIn(): void {
  const { pathname, search } = window.location;
  if (pathname === SIGN_IN_PATH) return;
  window.location.assign(signInUrl(pathname + search));
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => createQueryClient(redirectToSignIn));
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
