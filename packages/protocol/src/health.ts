import { z } from "zod";

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  protocolVersion: z.number().int(),
  protocolMinor: z.number().int().default(0),
  database: z.object({ ok: z.boolean(), latencyMs: z.number().nullable(), error: z.string().optional() }),
});
export type Health = z.infer<typeof healthSchema>;
