"use client";

import { type Role, roleRank } from "@switchyard/protocol";
import { useQuery } from "@tanstack/react-query";
import { meQuery } from "../queries/me";

/**
 * Whether the signed-in user has at least `role` (operator: may change things; admin: manages
 * users). The server decides anyway (403); this only keeps buttons a viewer cannot use disabled.
 */
export function useHasRole(role: Role): boolean {
  const me = useQuery(meQuery());
  return me.data ? roleRank[me.data.role] >= roleRank[role] : false;
}

/** The title a disabled mutation button shows a viewer. */
export const VIEWER_TITLE = "viewers can look but not change anything";
