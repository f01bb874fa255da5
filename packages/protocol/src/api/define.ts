import type { z } from "zod";
import type { Role } from "../auth";
import type { ApiTag } from "./tags";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call a route: anyone ("public": the route checks its own credential, e.g. an enrollment
 * token or a password), or a signed-in principal with at least this role (viewer = any signed-in user).
 */
export type Access = "public" | Role;

/** `:name` segments of a path template, as a type: "/hosts/:id/x/:y" -> "id" | "y". */
type ParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

export type PathParams<Path extends string> = { [K in ParamNames<Path>]: string };

/** One REST route: everything a server, a client and the OpenAPI document need to know about it. */
export interface ApiRoute<
  Path extends string = string,
  Query extends z.ZodType | undefined = z.ZodType | undefined,
  Body extends z.ZodType | undefined = z.ZodType | undefined,
  Res extends z.ZodType | null = z.ZodType | null,
> {
  /** Unique, camelCase: the OpenAPI operationId and the key in the routes table. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Under /api/v1, with `:name` parameters. */
  readonly path: Path;
  readonly summary: string;
  /** Its group in the OpenAPI document. */
  readonly tag: ApiTag;
  readonly access: Access;
  readonly query?: Query;
  readonly body?: Body;
  /** The JSON body of a success; null when the route answers something else (Prometheus text). */
  readonly response: Res;
  /** The success status. */
  readonly status: number;
  /** Further statuses whose body is still `response` (health's 503 when degraded). */
  readonly alsoStatuses?: readonly number[];
  /** The content type of a non-JSON success. */
  readonly contentType?: string;
}

export type AnyApiRoute = ApiRoute<string, z.ZodType | undefined, z.ZodType | undefined, z.ZodType | null>;

/** Identity with inference: keeps the literal path and the schemas' types. */
export const defineRoute = <
  Path extends string,
  Query extends z.ZodType | undefined = undefined,
  Body extends z.ZodType | undefined = undefined,
  Res extends z.ZodType | null = z.ZodType,
>(
  route: ApiRoute<Path, Query, Body, Res>,
): ApiRoute<Path, Query, Body, Res> => route;

type Infer<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;
type InferIn<S, Fallback> = S extends z.ZodType ? z.input<S> : Fallback;

/** What a handler receives after the edge parsed the request. */
export type ParsedInput<R> =
  R extends ApiRoute<infer P, infer Q, infer B, z.ZodType | null>
    ? { params: PathParams<P>; query: Infer<Q, Record<string, never>>; body: Infer<B, undefined> }
    : never;

/** What a success body is. */
export type RouteResponse<R> =
  R extends ApiRoute<string, z.ZodType | undefined, z.ZodType | undefined, infer S>
    ? S extends z.ZodType
      ? z.output<S>
      : string
    : never;

type OptionalIfEmpty<K extends string, T> = keyof T extends never
  ? { readonly [P in K]?: T }
  : { readonly [P in K]: T };

/** What a client passes: params when the path has any, query and body when the route declares them. */
export type CallInput<R> =
  R extends ApiRoute<infer P, infer Q, infer B, z.ZodType | null>
    ? OptionalIfEmpty<"params", PathParams<P>> & {
        readonly query?: InferIn<Q, undefined>;
      } & (B extends z.ZodType ? { readonly body: z.input<B> } : { readonly body?: undefined })
    : never;

/** A client's arguments for one route (then `Extra`): the input may be left out when the route needs none. */
export type CallArgs<R, Extra extends unknown[] = []> =
  Record<string, never> extends CallInput<R>
    ? [input?: CallInput<R>, ...Extra]
    : [input: CallInput<R>, ...Extra];
