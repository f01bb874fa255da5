import { z } from "zod";
import { hostSummarySchema } from "./hosts";

/** Socket event names on /ui, server -> browser. Payloads only name what changed; the UI refetches. */
export const UiEvents = {
  hostChanged: "host:changed",
  inventoryChanged: "inventory:changed",
} as const;

export const hostChangedSchema = z.object({ host: hostSummarySchema });
export const inventoryChangedSchema = z.object({ hostId: z.string(), receivedAt: z.string() });
