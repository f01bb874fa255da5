import type { ReconcileEvent } from "@switchyard/protocol";
import type { Exec } from "../exec";

export interface DriverOptions {
  /** OVS datapath type for bridges Switchyard creates: "system" on real hosts, "netdev" in the lab. */
  datapathType: string;
  /** Gratuitous ARPs sent after an endpoint's address is (re)configured; 0 disables. */
  garpCount: number;
  /** Wait for arping (about a second per ARP) instead of letting it run in the background. */
  garpBlocking: boolean;
  /** OVS database, e.g. "unix:/run/openvswitch/db.sock"; undefined = ovs-vsctl's default. */
  ovsDb: string | undefined;
  /**
   * How Open vSwitch is reached when `ovsDb` is a unix: or tcp: database: its database protocol (OVSDB,
   * about 1 ms per change) or ovs-vsctl (a process per change). Without `ovsDb`, always ovs-vsctl.
   */
  ovsVia: "ovsdb" | "vsctl";
  /** Uplink trunk VLANs: only the VLANs of this host's networks on the bridge, or every VLAN. */
  ovsTrunks: "in-use" | "all";
  /** Timeout for each command. */
  commandTimeoutMs: number;
}

export const DEFAULT_DRIVER_OPTIONS: DriverOptions = {
  datapathType: "system",
  garpCount: 1,
  garpBlocking: false,
  ovsDb: undefined,
  ovsVia: "ovsdb",
  ovsTrunks: "in-use",
  commandTimeoutMs: 10_000,
};

export type EventSink = (event: ReconcileEvent) => void;

export interface DriverDeps {
  exec: Exec;
  options: DriverOptions;
  emit: EventSink;
}
