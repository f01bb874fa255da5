import { type ApiTokenScope, type Role, roleRank as rank, type User as UserDto } from "@switchyard/protocol";
import type { Actor } from "./audit";
import { DomainError } from "./errors";

/** An authenticated caller of the API: a user, through a session cookie or an API token. */
export interface Principal {
  user: UserDto;
  via: "session" | "token";
  /** Session id or API token id. */
  credentialId: string;
  /** A token's scope; omitted (sessions): full. */
  scope?: ApiTokenScope;
}

export function actorOf(principal: Principal): Actor {
  return principal.via === "token"
    ? { type: "token", id: principal.credentialId, name: principal.user.email }
    : { type: "user", id: principal.user.id, name: principal.user.email };
}

/** viewer reads; operator and admin may change things; admin-only actions ask for admin. */
export function requireRole(principal: Principal, role: Role): void {
  if (rank[principal.user.role] < rank[role]) {
    throw new DomainError(
      "forbidden",
      `this action needs the ${role} role; you are signed in as ${principal.user.role}`,
    );
  }
}

export function canMutate(role: Role): boolean {
  return rank[role] >= rank.operator;
}
