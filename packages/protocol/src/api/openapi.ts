import { z } from "zod";
import { apiErrorSchema } from "../errors";
import type { AnyApiRoute } from "./define";
import { apiTags } from "./tags";

type JsonSchema = Record<string, unknown>;

/** zod 4's own JSON Schema output (draft 2020-12, which OpenAPI 3.1 uses); requests as their input type. */
const jsonSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return withoutEmptyAlternatives(rest) as JsonSchema;
};

/** `unknown | null` comes out as `anyOf: [{}, {type: null}]`, which says nothing more than `{}`. */
function withoutEmptyAlternatives(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutEmptyAlternatives);
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node).map(([k, v]) => [k, withoutEmptyAlternatives(v)] as const);
  const out = Object.fromEntries(entries) as JsonSchema;
  const anyOf = out.anyOf;
  if (
    Array.isArray(anyOf) &&
    anyOf.some((s) => s !== null && typeof s === "object" && Object.keys(s).length === 0)
  ) {
    const { anyOf: _, ...rest } = out;
    return rest;
  }
  return out;
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

function parametersOf(route: AnyApiRoute): JsonSchema[] {
  const path = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const query = route.query ? jsonSchema(route.query, "input") : null;
  const properties = (query?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((query?.required ?? []) as string[]);
  const queryParams = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema,
  }));
  return [...path, ...queryParams];
}

function operationOf(route: AnyApiRoute): JsonSchema {
  const success =
    route.response === null
      ? { content: { [route.contentType ?? "application/json"]: { schema: { type: "string" } } } }
      : { content: { "application/json": { schema: jsonSchema(route.response, "output") } } };
  const responses: Record<string, unknown> = {
    [String(route.status)]: { description: route.summary, ...success },
    ...Object.fromEntries(
      (route.alsoStatuses ?? []).map((s) => [String(s), { description: "degraded", ...success }]),
    ),
    "400": errorResponse("bad request (malformed JSON)"),
    "422": errorResponse("a field failed validation; error.field names it"),
  };
  if (route.access !== "public") {
    responses["401"] = errorResponse("not signed in, or the token is invalid");
    responses["403"] = errorResponse(`needs the ${route.access} role`);
  }
  return {
    operationId: route.id,
    summary: route.summary,
    tags: [route.tag],
    ...(route.access === "public" ? { security: [] } : {}),
    parameters: parametersOf(route),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(route.body, "input") } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of a contract table: generated, so it cannot drift from the server. */
export function buildOpenApiDocument(
  routes: Readonly<Record<string, AnyApiRoute>>,
  version: string,
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of Object.values(routes)) {
    const path = route.path.replace(/:([A-Za-z]+)/g, "{$1}");
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operationOf(route);
  }
  const used = new Set(Object.values(routes).map((r) => r.tag));
  const tags = Object.entries(apiTags)
    .filter(([name]) => used.has(name as keyof typeof apiTags))
    .map(([name, description]) => ({ name, description }));
  return {
    openapi: "3.1.0",
    info: {
      title: "Switchyard API",
      version,
      description: "Control plane for container networks: hosts, networks, attachments, IPAM, leaks.",
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: "/" }],
    tags,
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: "http", scheme: "bearer", description: "An API token, syt_..." },
        sessionCookie: { type: "apiKey", in: "cookie", name: "sy_session" },
      },
      schemas: { Error: jsonSchema(apiErrorSchema, "output") },
    },
  };
}
