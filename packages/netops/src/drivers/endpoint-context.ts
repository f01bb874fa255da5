import type { DesiredEndpoint, DesiredNetwork } from "@switchyard/protocol";
import type { NetnsTarget } from "../runtime/target";
import type { ContainerSpec } from "./container-side";
import type { HostOps } from "./host";
import type { DriverOptions, EventSink } from "./types";

/** Everything one endpoint's driver needs. */
export interface EndpointContext {
  ops: HostOps;
  options: DriverOptions;
  emit: EventSink;
  net: DesiredNetwork;
  ep: DesiredEndpoint;
  target: NetnsTarget;
  spec: ContainerSpec;
  /** The endpoint was applied before (a recreation is drift repair, not a first attach). */
  known: boolean;
}

export function say(ctx: EndpointContext, kind: "created" | "repaired" | "removed", message: string): void {
  ctx.emit({ kind, endpointId: ctx.ep.id, networkId: ctx.net.id, message });
}
