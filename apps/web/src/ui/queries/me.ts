import { type SignInBody, userSchema } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { fetchJson, sendCommand } from "../api/fetch-json";
import { queryKeys } from "./query-keys";

export function meQuery() {
  return queryOptions({
    queryKey: queryKeys.me,
    queryFn: () => fetchJson("/api/v1/auth/me", userSchema),
    staleTime: 60_000,
  });
}

export function signIn(body: SignInBody): Promise<void> {
  return sendCommand("/api/v1/auth/sign-in", { body });
}

export function signOut(): Promise<void> {
  return sendCommand("/api/v1/auth/sign-out");
}
