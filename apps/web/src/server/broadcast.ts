import type {
  Attachment,
  HostSummary,
  Network,
  Operation,
  PingRequest,
  PingResult,
  ProbeAck,
  ProbeRequest,
  ReconcileEvents,
  RepairAck,
} from "@switchyard/protocol";

/**
 * What REST handlers and agent connections tell the live sockets (every replica, through the adapter).
 * The hub implements it; the namespaces' modules depend on this interface, not on the hub.
 */
export interface HubPort {
  /** Tell browsers a host changed (status, revoke, new host). */
  hostChanged(host: HostSummary): void;
  /** Tell browsers a host's inventory changed. */
  inventoryChanged(hostId: string, receivedAt: Date): void;
  /** Drop the agent's live socket(s), on every replica. */
  disconnectHost(hostId: string): void;
  /** Drop the browser sockets opened with this session or API token, on every replica. */
  disconnectCredential(credentialId: string): void;
  /** The hosts' desired serials changed: push their desired state to their agents (any replica). */
  desiredStateChanged(hostIds: readonly string[]): void;
  /** Ask the host's agent (any replica) to verify and repair the whole host now; rejects when it cannot. */
  repairHost(hostId: string): Promise<RepairAck>;
  /** Tell browsers attachments / operations changed. */
  ledgerChanged(changes: { attachments?: readonly Attachment[]; operations?: readonly Operation[] }): void;
  /** Tell browsers a network was created (network) or deleted (null). */
  networkChanged(networkId: string, network: Network | null): void;
  /** Tell browsers leak findings changed (raised, resolved, released, probed). */
  leaksChanged(changedIds: readonly string[]): void;
  /** Ask the host's agent (any replica) to probe an address (arping -D); rejects when it is not connected. */
  probeHost(hostId: string, request: ProbeRequest): Promise<ProbeAck>;
  /**
   * Ask the host's agent (any replica) to ping from inside a container (the trace test); rejects when it
   * is not connected or too old to know the event.
   */
  pingFrom(hostId: string, request: PingRequest): Promise<PingResult>;
  /** Drift an agent repaired, or endpoints it failed, for the browsers. */
  reconcileEvents(payload: ReconcileEvents): void;
}

/** For an API without live sockets (tests, tools): broadcasts go nowhere, a probe finds no agent. */
export const noopHub: HubPort = {
  hostChanged: () => {},
  inventoryChanged: () => {},
  disconnectHost: () => {},
  disconnectCredential: () => {},
  desiredStateChanged: () => {},
  repairHost: () => Promise.reject(new Error("no agent hub in this process")),
  ledgerChanged: () => {},
  networkChanged: () => {},
  leaksChanged: () => {},
  probeHost: () => Promise.reject(new Error("no agent hub in this process")),
  pingFrom: () => Promise.reject(new Error("no agent hub in this process")),
  reconcileEvents: () => {},
};
