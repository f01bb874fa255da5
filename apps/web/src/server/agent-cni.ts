import {
  type AttachmentChange,
  cniAttach,
  cniDetach,
  cniGc,
  DomainError,
  type ServiceContext,
} from "@switchyard/control";
import {
  type AgentAckError,
  CniAgentEvents,
  type CniAttachAck,
  type CniDetachAck,
  cniAttachRequestSchema,
  cniDetachRequestSchema,
  cniGcRequestSchema,
} from "@switchyard/protocol";
import type { z } from "zod";
import type { AgentSocket } from "./agent-socket";
import type { HubPort } from "./broadcast";
import type { Logger } from "./logger";

/**
 * An agent's CNI events (its plugin's ADD, DEL and GC for containers on its own host). Each is answered
 * through its ack with data (the attachment, or what was detached), not only ok; they run beside the
 * agent's ordered events (an ADD must not wait behind an inventory), the attach service's locks order them.
 */
export function handleCniEvents(
  socket: AgentSocket,
  deps: { services: ServiceContext; hub: HubPort; log: Logger },
) {
  const { services, hub, log } = deps;
  const host = { id: socket.data.hostId, name: socket.data.hostName };
  const publish = (changes: readonly AttachmentChange[]) => {
    for (const c of changes) {
      hub.ledgerChanged({ attachments: [c.attachment], operations: [c.operation] });
      hub.desiredStateChanged(c.hostIds);
    }
  };
  const on = <T>(
    event: string,
    schema: z.ZodType<T>,
    run: (request: T) => Promise<CniAttachAck | CniDetachAck>,
  ) => {
    // The three CNI events differ only in their ack's type; this listener answers each with its own.
    const listen = socket.on.bind(socket) as (
      event: string,
      listener: (
        payload: unknown,
        ack?: (result: CniAttachAck | CniDetachAck | { ok: false; error: AgentAckError }) => void,
      ) => void,
    ) => void;
    listen(event, (payload, ack) => {
      if (typeof ack !== "function") return;
      const refuse = (error: AgentAckError) => ack({ ok: false, error });
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join(".") || "payload";
        return refuse({
          code: "validation_failed",
          message: `${event}: ${field}: ${issue?.message ?? "invalid"}`,
          field,
        });
      }
      run(parsed.data).then(ack, (err: unknown) => {
        if (err instanceof DomainError) {
          log.info({ event, code: err.code, message: err.message }, "CNI request refused");
          return refuse({ code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
        }
        log.error({ err, event }, "CNI request failed");
        refuse({ code: "internal", message: "internal error; retry" });
      });
    });
  };

  on(CniAgentEvents.add, cniAttachRequestSchema, async (request) => {
    const result = await cniAttach(services, host, request);
    publish(result.changes);
    return { ok: true, attachment: result.attachment };
  });
  on(CniAgentEvents.del, cniDetachRequestSchema, async (request) => {
    const result = await cniDetach(services, host, request);
    publish(result.changes);
    return { ok: true, detached: result.detached, serial: result.serial };
  });
  on(CniAgentEvents.gc, cniGcRequestSchema, async (request) => {
    const result = await cniGc(services, host, request);
    publish(result.changes);
    return { ok: true, detached: result.detached, serial: result.serial };
  });
}
