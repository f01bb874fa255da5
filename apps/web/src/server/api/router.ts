import type { AnyApiRoute } from "@switchyard/protocol";
import type { RequestContext } from "./context";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Handler = (ctx: RequestContext) => Promise<Response>;

export interface Route {
  method: Method;
  /** e.g. "/api/v1/hosts/:id" */
  path: string;
  handler: Handler;
  /** The protocol contract it implements (see implement.ts). */
  contract: AnyApiRoute;
}

/** What the router needs of a route. */
interface RouteLike {
  method: Method;
  path: string;
}

type Compiled<R> = R & { segments: string[] };

export type Match<R extends RouteLike = Route> =
  | { kind: "found"; route: R; params: Record<string, string> }
  | { kind: "method_not_allowed"; allowed: Method[] }
  | { kind: "not_found" };

/**
 * A tiny path router: literal segments and `:param` segments, nothing else. Kept instead of a library
 * (find-my-way, a framework's router) because the contract table already names every path, matching
 * them is this much code, and a library's middleware model would duplicate what `implement` does.
 */
export class Router<R extends RouteLike = Route> {
  private readonly compiled: Compiled<R>[];

  constructor(routes: readonly R[]) {
    this.compiled = routes.map((r) => ({ ...r, segments: split(r.path) }));
    const seen = new Set<string>();
    for (const r of this.compiled) {
      const key = `${r.method} ${r.segments.map((s) => (s.startsWith(":") ? ":" : s)).join("/")}`;
      if (seen.has(key)) throw new Error(`duplicate route ${r.method} ${r.path}`);
      seen.add(key);
    }
  }

  match(method: string, pathname: string): Match<R> {
    const parts = split(pathname);
    const allowed: Method[] = [];
    // Literal segments win over parameters: try routes with fewer params first.
    let best: { route: Compiled<R>; params: Record<string, string>; paramCount: number } | null = null;
    for (const r of this.compiled) {
      const params = matchSegments(r.segments, parts);
      if (!params) continue;
      if (r.method !== method) {
        allowed.push(r.method);
        continue;
      }
      const paramCount = Object.keys(params).length;
      if (!best || paramCount < best.paramCount) best = { route: r, params, paramCount };
    }
    if (best) return { kind: "found", route: best.route, params: best.params };
    if (allowed.length > 0) return { kind: "method_not_allowed", allowed };
    return { kind: "not_found" };
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const v = parts[i] as string;
    if (p.startsWith(":")) {
      try {
        params[p.slice(1)] = decodeURIComponent(v);
      } catch {
        return null;
      }
    } else if (p !== v) {
      return null;
    }
  }
  return params;
}
