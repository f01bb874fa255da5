import { apiRoutes, type SignInBody } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";
import { queryKeys } from "./query-keys";

export function meQuery() {
  return queryOptions({
    queryKey: queryKeys.me,
    queryFn: () => callApi(apiRoutes.me),
    staleTime: 60_000,
  });
}

export async function signIn(body: SignInBody): Promise<void> {
  await callApi(apiRoutes.signIn, { body });
}

export async function signOut(): Promise<void> {
  await callApi(apiRoutes.signOut);
}
