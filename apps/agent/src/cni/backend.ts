import {
  CniAgentEvents,
  type CniAttachAck,
  type CniDetachAck,
  cniAttachAckSchema,
  cniAttachRequestSchema,
  cniDetachAckSchema,
  type DesiredEndpoint,
} from "@switchyard/protocol";
import type { z } from "zod";
import type { AgentChannel } from "../connection";
import type { CniBackend } from "./handle";
import type { EndpointWaiters } from "./waiters";

/** The control plane answers an attach within this (it allocates in one transaction). */
const ASK_TIMEOUT_MS = 30_000;
/** The protocol minor that brought the agent:cni-* events (see PROTOCOL_MINOR). */
const CNI_EVENTS_MINOR = 1;

const refused = (code: string, message: string) => ({ ok: false as const, error: { code, message } });

/** Sends one CNI event through the current connection and parses the ack; a missing link is an ack too. */
async function ask<T>(
  link: { channel: AgentChannel; serverMinor: number } | null,
  event: string,
  payload: unknown,
  schema: z.ZodType<T>,
): Promise<T | ReturnType<typeof refused>> {
  if (!link) return refused("not_connected", "the agent is not connected to the control plane; retry");
  // An older control plane would drop the event unanswered: say so at once instead of after the timeout.
  if (link.serverMinor < CNI_EVENTS_MINOR)
    return refused(
      "protocol_mismatch",
      `the control plane speaks protocol minor ${link.serverMinor}, without CNI events (minor ${CNI_EVENTS_MINOR}): upgrade it`,
    );
  const { channel } = link;
  let ack: unknown;
  try {
    ack = await channel.ask(event, payload, ASK_TIMEOUT_MS);
  } catch (error) {
    return refused(
      "timeout",
      `the control plane did not answer ${event}: ${(error as Error).message}; retry`,
    );
  }
  const parsed = schema.safeParse(ack);
  return parsed.success
    ? parsed.data
    : refused("bad_ack", `the control plane's answer to ${event} is not understood`);
}

/** The agent's CniBackend: its connection (whichever is current), its applier's results, its engine. */
export function createCniBackend(deps: {
  /** The current connection and the protocol minor its server announced in its welcome. */
  link: () => { channel: AgentChannel; serverMinor: number } | null;
  waiters: EndpointWaiters;
  desiredEndpoints: () => readonly DesiredEndpoint[];
}): CniBackend {
  return {
    connected: () => deps.link() !== null,
    attach: (request): Promise<CniAttachAck> =>
      ask(deps.link(), CniAgentEvents.add, cniAttachRequestSchema.parse(request), cniAttachAckSchema),
    detach: (request): Promise<CniDetachAck> =>
      ask(deps.link(), CniAgentEvents.del, request, cniDetachAckSchema),
    gc: (request): Promise<CniDetachAck> => ask(deps.link(), CniAgentEvents.gc, request, cniDetachAckSchema),
    waitEndpoint: (id, timeoutMs) => deps.waiters.waitEndpoint(id, timeoutMs),
    waitSerial: (serial, timeoutMs) => deps.waiters.waitSerial(serial, timeoutMs),
    endpoints: () =>
      deps.desiredEndpoints().map((endpoint) => ({ endpoint, result: deps.waiters.result(endpoint.id) })),
  };
}
