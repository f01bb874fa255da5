import type { Lab } from "@switchyard/lab";
import type { DesiredNetwork, DesiredStateInput, DesiredStateResult } from "@switchyard/protocol";
import { DockerClient } from "../src/docker";
import { type DriverOptions, hostIfname, type Link, parseLinks } from "../src/drivers";
import { type Exec, type ExecOptions, exec as realExec } from "../src/exec";
import { parseOvsTable } from "../src/inventory/ovs";
import { type BatchingExec, batchingExec } from "../src/ip-batch";
import { MemoryEndpointStore, reconcile } from "../src/reconcile";

type EndpointInput = DesiredStateInput["endpoints"][number];

const MUTATING = new Set([
  "add",
  "del",
  "delete",
  "set",
  "append",
  "replace",
  "add-port",
  "del-port",
  "add-br",
  "clear",
  "br-set-external-id",
  "arping",
]);

/** Plays the control plane for the lab's hosts: keeps each host's desired state and reconciles it. */
export class Harness {
  private serial = 0;
  private readonly networks = new Map<string, Map<string, DesiredNetwork>>();
  private readonly endpoints = new Map<string, Map<string, EndpointInput>>();
  private readonly stores = new Map<string, MemoryEndpointStore>();
  /** argv of every command that changed something on the host, per apply. */
  lastMutations: string[][] = [];

  constructor(
    readonly lab: Lab,
    private readonly options: Partial<DriverOptions> = {},
  ) {}

  private of<T>(map: Map<string, Map<string, T>>, host: string): Map<string, T> {
    let m = map.get(host);
    if (!m) {
      m = new Map();
      map.set(host, m);
    }
    return m;
  }

  network(host: string, net: DesiredNetwork): void {
    this.of(this.networks, host).set(net.id, net);
  }

  /** Nothing desired on the host any more: no endpoints, no networks. */
  clear(host: string): void {
    this.of(this.networks, host).clear();
    this.of(this.endpoints, host).clear();
  }

  attach(host: string, ep: EndpointInput): void {
    this.of(this.endpoints, host).set(ep.id, ep);
  }

  detach(host: string, id: string): void {
    this.of(this.endpoints, host).delete(id);
  }

  desired(host: string): DesiredStateInput {
    this.serial += 1;
    return {
      serial: this.serial,
      networks: [...this.of(this.networks, host).values()],
      endpoints: [...this.of(this.endpoints, host).values()],
    };
  }

  async apply(host: string): Promise<DesiredStateResult> {
    const h = this.lab.host(host);
    // ip changes go through one ip -batch per namespace, as the agent runs them; recorded before that.
    const inner = this.batch(host);
    const mutations: string[][] = [];
    const recording: Exec = (argv, options) => {
      if (argv.some((a) => MUTATING.has(a))) mutations.push([...argv]);
      return inner(argv, options);
    };
    let store = this.stores.get(host);
    if (!store) {
      store = new MemoryEndpointStore();
      this.stores.set(host, store);
    }
    const socket = this.lab.state.docker?.socketPath;
    const result = await reconcile(this.desired(host), {
      exec: recording,
      store,
      docker: socket ? new DockerClient(socket) : undefined,
      options: { datapathType: "netdev", ovsDb: h.ovs?.db, garpCount: 1, ...this.options },
    });
    this.lastMutations = mutations;
    return result;
  }

  private readonly batches = new Map<string, BatchingExec>();

  private batch(host: string): BatchingExec {
    let b = this.batches.get(host);
    if (!b) {
      // Wrapped by the namespace, not wrapping it: the batch must see `netns` to run in the host.
      const batch = batchingExec(realExec);
      const netns = this.lab.host(host).netns;
      b = Object.assign((argv: readonly string[], o?: ExecOptions) => batch(argv, { ...o, netns }), {
        close: () => batch.close(),
        sessions: () => batch.sessions(),
      });
      this.batches.set(host, b);
    }
    return b;
  }

  /** Ends the ip -batch processes (before the lab goes down). */
  close(): void {
    for (const b of this.batches.values()) b.close();
    this.batches.clear();
  }

  async vsctl(host: string, args: readonly string[]): Promise<string> {
    const db = this.lab.host(host).ovs?.db as string;
    return (await this.lab.hostExec(host)(["ovs-vsctl", `--db=${db}`, ...args])).stdout;
  }

  /** `ovs-vsctl --format=json list port` as rows. */
  async ovsPorts(
    host: string,
  ): Promise<{ name: string; tag: unknown; trunks: unknown; external_ids: unknown }[]> {
    const out = await this.vsctl(host, [
      "--format=json",
      "--columns=name,tag,trunks,external_ids",
      "list",
      "port",
    ]);
    return parseOvsTable(JSON.parse(out)) as {
      name: string;
      tag: unknown;
      trunks: unknown;
      external_ids: unknown;
    }[];
  }

  async hostLinks(host: string): Promise<Link[]> {
    return parseLinks((await this.lab.hostExec(host)(["ip", "-j", "-d", "addr", "show"])).stdout);
  }

  /** Links Switchyard made on the host (sy<hash>[hcm]). */
  async ownedLinks(host: string): Promise<string[]> {
    return (await this.hostLinks(host)).map((l) => l.name).filter((n) => /^sy[0-9a-f]{8}[hcm]$/.test(n));
  }

  hostIfname(endpointId: string): string {
    return hostIfname(endpointId);
  }
}
