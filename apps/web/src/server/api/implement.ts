import { type Principal, requireRole } from "@switchyard/control";
import type { AnyApiRoute, ParsedInput, RouteResponse } from "@switchyard/protocol";
import { z } from "zod";
import type { RequestContext } from "./context";
import { errorBody, json, parseWith, readJson } from "./http";
import type { Route } from "./router";

/** A success body with extra headers (a cookie) or another status the contract allows. */
export class Reply<T> {
  constructor(
    readonly body: T,
    readonly headers: HeadersInit = {},
    readonly status?: number,
  ) {}
}

type Input<R extends AnyApiRoute> = ParsedInput<R> & {
  /** The caller; null on public routes (which may still call ctx.principal()). */
  principal: R["access"] extends "public" ? null : Principal;
};

/** What one route's handler does: everything but parsing, authorization and the success status. */
export type Implementation<R extends AnyApiRoute> = (
  ctx: RequestContext,
  input: Input<R>,
) => Promise<RouteResponse<R> | Reply<RouteResponse<R>> | Response>;

/**
 * A contract entry made a live route: authenticate and check the role (401/403 before anything is
 * parsed), parse params, query and body with the contract's schemas (422 naming the field), call the
 * implementation, answer the contract's status. With `validateResponses` every success body is checked
 * against the declared schema, so a handler cannot drift from what clients and OpenAPI are told.
 */
export function implement<R extends AnyApiRoute>(contract: R, handler: Implementation<R>): Route {
  return {
    method: contract.method,
    path: contract.path,
    contract,
    handler: async (ctx) => {
      let principal: Principal | null = null;
      if (contract.access !== "public") {
        principal = await ctx.principal();
        requireRole(principal, contract.access);
      }
      const input = {
        params: parseWith(paramsSchemaOf(ctx.params), ctx.params, "params"),
        query: contract.query
          ? parseWith(contract.query, Object.fromEntries(ctx.url.searchParams.entries()), "query")
          : {},
        body: contract.body ? parseWith(contract.body, await bodySource(ctx, contract)) : undefined,
        principal,
      } as Input<R>;
      const result = await handler(ctx, input);
      if (result instanceof Response) return result;
      const reply = result instanceof Reply ? result : new Reply(result);
      if (ctx.deps.config.validateResponses && contract.response !== null) {
        const problem = mismatch(contract.response, reply.body);
        if (problem) {
          ctx.deps.logger.error({ route: contract.id, problem }, "response does not match its contract");
          return json(
            errorBody("internal", `response of ${contract.id} does not match its contract: ${problem}`),
            500,
          );
        }
      }
      return json(reply.body, reply.status ?? contract.status, reply.headers);
    },
  };
}

/** A DELETE without a body takes the body's fields from the query string (see apiRoutes). */
async function bodySource(ctx: RequestContext, contract: AnyApiRoute): Promise<unknown> {
  const raw = await readJson(ctx.request);
  const empty = raw !== null && typeof raw === "object" && Object.keys(raw).length === 0;
  if (contract.method === "DELETE" && empty) return Object.fromEntries(ctx.url.searchParams.entries());
  return raw;
}

// Path parameters are ids, names or addresses: bounded and never empty.
const paramSchema = z.string().min(1).max(255);
const paramsSchemaOf = (params: Record<string, string>) =>
  z.object(Object.fromEntries(Object.keys(params).map((name) => [name, paramSchema])));

function mismatch(schema: z.ZodType, body: unknown): string | null {
  const result = schema.safeParse(JSON.parse(JSON.stringify(body)));
  if (result.success) return null;
  const issue = result.error.issues[0];
  return `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`;
}
