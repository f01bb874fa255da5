import type { DesiredEndpoint, DesiredNetwork } from "@switchyard/protocol";
import type { NetnsTarget } from "../runtime/target";
import type { ContainerSpec } from "./container-side";
import type { EndpointContext } from "./endpoint-context";
import { ensureMacvlanEndpoint } from "./endpoint-macvlan";
import { ensureVethEndpoint } from "./endpoint-veth";
import type { HostOps } from "./host";
import { deriveMac, endpointAlias } from "./names";
import type { DriverOptions, EventSink } from "./types";

export function containerSpec(ep: DesiredEndpoint, net: DesiredNetwork, mtu: number): ContainerSpec {
  return {
    ifname: ep.ifname,
    mac: ep.mac ?? deriveMac(ep.id),
    mtu,
    address: ep.address,
    prefixLength: ep.prefixLength ?? net.prefixLength,
    gateway: net.gateway,
    setDefaultRoute: ep.setDefaultRoute,
    alias: endpointAlias(ep.id),
  };
}

export interface EnsureEndpointInput {
  ops: HostOps;
  options: DriverOptions;
  emit: EventSink;
  net: DesiredNetwork;
  ep: DesiredEndpoint;
  target: NetnsTarget;
  mtu: number;
  known: boolean;
}

/** Creates or repairs one endpoint; returns the host-side interface (null for macvlan). */
export function ensureEndpoint(input: EnsureEndpointInput): Promise<string | null> {
  const ctx: EndpointContext = { ...input, spec: containerSpec(input.ep, input.net, input.mtu) };
  return input.net.driver === "macvlan" ? ensureMacvlanEndpoint(ctx) : ensureVethEndpoint(ctx);
}
