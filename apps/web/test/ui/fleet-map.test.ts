import type { FleetHost, FleetSummary } from "@switchyard/protocol";
import cytoscape from "cytoscape";
import { describe, expect, it } from "vitest";
import { applyDiff } from "../../src/ui/graph/apply-diff";
import { diffElements } from "../../src/ui/graph/element-diff";
import { elementIds } from "../../src/ui/graph/element-ids";
import { buildFleetElements, type FleetMapInput, type MapElement } from "../../src/ui/graph/fleet-elements";
import {
  filtersToQuery,
  groupKey,
  hostPassesFilters,
  nameLabel,
  noFilters,
  parseFilters,
} from "../../src/ui/graph/fleet-filters";
import { layoutFleet, layoutHostInterior } from "../../src/ui/graph/fleet-layout";
import { emptyOverlay } from "../../src/ui/graph/network-overlay";
import { testedPathClass } from "../../src/ui/graph/trace";
import { createCoalescer } from "../../src/ui/queries/coalesce";
import { patchFleetRows, patchFleetStatus } from "../../src/ui/queries/fleet";
import { listRows, visibleRange } from "../../src/ui/topology/fleet-list";
import { linuxBridgeHost, ovsHost } from "./topology-fixtures";

function row(i: number, extra: Partial<FleetHost> = {}): FleetHost {
  return {
    id: `h${i}`,
    name: `node${String(i).padStart(4, "0")}`,
    status: "online",
    lastSeenAt: null,
    inventoryReceivedAt: "2026-12-01T00:00:00.000Z",
    subnet: `10.20.${Math.floor(i / 100)}.0/24`,
    uplink: "ovs0/eth1 trunk all",
    containers: 10,
    running: 10,
    bridges: 2,
    vlans: [100 + (i % 20), 100 + ((i + 1) % 20)],
    drivers: ["bridge", "ovs"],
    networks: [],
    leaks: 0,
    drift: 0,
    ...extra,
  };
}

const fleet = (n: number) => Array.from({ length: n }, (_, i) => row(i));

function input(hosts: FleetHost[], extra: Partial<FleetMapInput> = {}): FleetMapInput {
  return { hosts, filters: noFilters, expanded: new Map(), overlay: emptyOverlay, findings: [], ...extra };
}

const hostNodes = (elements: MapElement[]) =>
  elements.filter((e) => e.group === "nodes" && e.data.kind === "host");

describe("fleet filters", () => {
  it("round-trips through the URL, keeps other parameters, ignores malformed values", () => {
    const filters = {
      ...noFilters,
      vlan: 100,
      status: "offline" as const,
      leaks: true,
      group: "uplink" as const,
    };
    const query = filtersToQuery(filters, "other=1");
    expect(query).toBe("other=1&vlan=100&status=offline&leaks=1&group=uplink");
    expect(parseFilters(new URLSearchParams(query))).toEqual(filters);
    expect(parseFilters(new URLSearchParams("vlan=9999&status=nope&driver=x&group=zzz"))).toEqual(noFilters);
    expect(filtersToQuery(noFilters)).toBe("");
  });

  it("passes a host only when every filter holds", () => {
    const host = row(3, { vlans: [100], networks: ["n1"], leaks: 2, drift: 0 });
    expect(hostPassesFilters(host, { ...noFilters, vlan: 100, network: "n1", leaks: true })).toBe(true);
    expect(hostPassesFilters(host, { ...noFilters, vlan: 200 })).toBe(false);
    expect(hostPassesFilters(host, { ...noFilters, drift: true })).toBe(false);
    expect(hostPassesFilters(host, { ...noFilters, driver: "macvlan" })).toBe(false);
  });

  it("groups by subnet, uplink, name label and status", () => {
    const host = row(250, { name: "rack12-node07", uplink: null });
    expect(groupKey(host, "subnet")).toBe("10.20.2.0/24");
    expect(groupKey(host, "uplink")).toBe("no uplink");
    expect(groupKey(host, "label")).toBe("rack12-node");
    expect(groupKey(host, "status")).toBe("online");
    expect(nameLabel("42")).toBe("42");
  });
});

describe("fleet layout", () => {
  it("places 1,000 hosts deterministically, without overlaps, in a landscape-ish box", () => {
    const groups = Array.from({ length: 10 }, (_, g) => ({
      key: `g${g}`,
      hostIds: Array.from({ length: 100 }, (_, i) => `h${g * 100 + i}`),
    }));
    const a = layoutFleet(groups, new Map());
    expect(layoutFleet(groups, new Map())).toEqual(a);
    expect(a.hosts.size).toBe(1000);
    const seen = new Set([...a.hosts.values()].map((p) => `${p.x},${p.y}`));
    expect(seen.size).toBe(1000);
    const xs = [...a.hosts.values()].map((p) => p.x);
    const ys = [...a.hosts.values()].map((p) => p.y);
    const width = Math.max(...xs) - Math.min(...xs);
    const height = Math.max(...ys) - Math.min(...ys);
    expect(width / height).toBeGreaterThan(0.8);
    expect(width / height).toBeLessThan(4);
  });

  it("an expanded host takes the room its contents need and moves only hosts after it in its group", () => {
    const groups = [
      { key: "a", hostIds: ["a1", "a2", "a3", "a4"] },
      { key: "b", hostIds: ["b1", "b2"] },
    ];
    const before = layoutFleet(groups, new Map());
    const after = layoutFleet(groups, new Map([["a2", { width: 500, height: 300 }]]));
    expect(after.hosts.get("a1")).toEqual(before.hosts.get("a1"));
    expect(after.hosts.get("a3")).not.toEqual(before.hosts.get("a3"));
  });

  it("lays a host's interior out by structure: uplinks, then bridges, then containers", () => {
    const detail = ovsHost();
    const map = buildFleetElements(
      input([row(0, { id: detail.id, name: detail.name })], { expanded: new Map([[detail.id, detail]]) }),
    );
    const interior = layoutHostInterior(map.elements);
    const y = (id: string) => interior.positions.get(id)?.y ?? Number.NaN;
    expect(y(elementIds.hostInterface(detail.id, "eth1"))).toBeLessThan(
      y(elementIds.ovsBridge(detail.id, "ovs0")),
    );
    expect(y(elementIds.ovsBridge(detail.id, "ovs0"))).toBeLessThan(
      y(elementIds.container(detail.id, "id-con1")),
    );
  });
});

describe("buildFleetElements", () => {
  it("draws one node per host with a preset position, plus one caption per group", () => {
    const map = buildFleetElements(input(fleet(1000)));
    expect(hostNodes(map.elements)).toHaveLength(1000);
    expect(map.elements.filter((e) => e.group === "nodes" && e.data.kind === "group")).toHaveLength(10);
    expect(map.elements.every((e) => e.position !== undefined)).toBe(true);
    expect(map.elements.filter((e) => e.group === "edges")).toHaveLength(0);
  });

  it("marks leaks and drift, and filters hosts", () => {
    const hosts = [row(0, { leaks: 1 }), row(1, { drift: 2 }), row(2)];
    const map = buildFleetElements(input(hosts));
    expect(hostNodes(map.elements).map((e) => e.classes)).toEqual([
      "host status-online fleet-host has-leaks",
      "host status-online fleet-host has-drift",
      "host status-online fleet-host",
    ]);
    const leaky = buildFleetElements(input(hosts, { filters: { ...noFilters, leaks: true } }));
    expect(leaky.shown.map((h) => h.id)).toEqual(["h0"]);
  });

  it("expands a host into its bridges, ports and containers, positioned inside its cell", () => {
    const detail = linuxBridgeHost();
    const hosts = [row(0, { id: detail.id, name: detail.name }), row(1)];
    const map = buildFleetElements(input(hosts, { expanded: new Map([[detail.id, detail]]) }));
    const compound = map.elements.find((e) => e.data.id === elementIds.host(detail.id));
    expect(compound?.classes).toContain("expanded");
    expect(compound?.position).toBeUndefined();
    const children = map.elements.filter(
      (e) => e.group === "nodes" && e.data.parent === elementIds.host(detail.id),
    );
    expect(children.map((e) => e.data.id)).toContain(elementIds.container(detail.id, "id-test1"));
    expect(children.every((e) => e.position !== undefined)).toBe(true);
  });

  it("dims, on an expanded host, the containers a VLAN filter does not touch", () => {
    const detail = ovsHost();
    const hosts = [row(0, { id: detail.id, name: detail.name, vlans: [100, 200] })];
    const map = buildFleetElements(
      input(hosts, { expanded: new Map([[detail.id, detail]]), filters: { ...noFilters, vlan: 100 } }),
    );
    const cls = (c: string) =>
      map.elements.find((e) => e.data.id === elementIds.container(detail.id, c))?.classes;
    expect(cls("id-con1")).not.toContain("dim");
    expect(cls("id-con2")).toContain("dim");
  });

  it("a traced path is on-path, and once tested trace-passed or trace-failed (testedPathClass)", () => {
    const detail = ovsHost();
    const hosts = [row(0, { id: detail.id, name: detail.name })];
    const con1 = elementIds.container(detail.id, "id-con1");
    const con2 = elementIds.container(detail.id, "id-con2");
    const classesOf = (highlightClass: string | null) =>
      buildFleetElements(
        input(hosts, {
          expanded: new Map([[detail.id, detail]]),
          highlight: new Set([con1]),
          highlightClass,
        }),
      ).elements.filter((e) => e.data.id === con1 || e.data.id === con2);
    const tested = (ok: boolean) => ({ network: null, directions: [], ok });
    expect(testedPathClass(null)).toBeNull();
    expect(classesOf(testedPathClass(null)).map((e) => e.classes.includes("on-path"))).toEqual([true, false]);
    const passed = classesOf(testedPathClass(tested(true)));
    expect(passed[0]?.classes).toMatch(/on-path trace-passed$/);
    expect(passed[1]?.classes).not.toContain("trace-");
    expect(classesOf(testedPathClass(tested(false)))[0]?.classes).toMatch(/on-path trace-failed$/);
  });
});

describe("element diff", () => {
  it("a change on one host touches that host's node only", () => {
    const hosts = fleet(1000);
    const before = buildFleetElements(input(hosts)).elements;
    const changed = hosts.map((h) => (h.id === "h500" ? { ...h, containers: 11 } : h));
    const diff = diffElements(before, buildFleetElements(input(changed)).elements);
    expect(diff.add).toHaveLength(0);
    expect(diff.remove).toHaveLength(0);
    expect(diff.move).toHaveLength(0);
    expect(diff.update.map((e) => e.data.id)).toEqual([elementIds.host("h500")]);
  });

  it("expanding a host adds its contents and moves nothing before it (earlier groups, earlier hosts of its group)", () => {
    const detail = ovsHost();
    const hosts = fleet(300).map((h, i) => (i === 150 ? { ...h, id: detail.id, name: "node0150" } : h));
    const before = buildFleetElements(input(hosts)).elements;
    const after = buildFleetElements(input(hosts, { expanded: new Map([[detail.id, detail]]) })).elements;
    const diff = diffElements(before, after);
    expect(diff.add.length).toBeGreaterThan(4);
    expect(diff.add.every((e) => e.data.hostId === detail.id)).toBe(true);
    // Group 10.20.1.0/24 holds hosts 100..199: hosts 0..149 stay where they were.
    expect(diff.move.length).toBeGreaterThan(0);
    const moved = new Set(diff.move.map((m) => m.id));
    for (let i = 0; i < 150; i++) expect(moved.has(elementIds.host(`h${i}`))).toBe(false);
    expect(diffElements(after, before).remove).toEqual(
      expect.arrayContaining(
        diff.add.filter((e) => e.data.id !== elementIds.host(detail.id)).map((e) => e.data.id),
      ),
    );
  });

  it("applied to cytoscape, diffs give the same graph as drawing from scratch", () => {
    const detail = ovsHost();
    const hosts = fleet(40).map((h, i) => (i === 7 ? { ...h, id: detail.id, name: "node0007" } : h));
    const steps = [
      buildFleetElements(input(hosts)).elements,
      buildFleetElements(input(hosts, { expanded: new Map([[detail.id, detail]]) })).elements,
      buildFleetElements(input(hosts.slice(1), { expanded: new Map([[detail.id, detail]]) })).elements,
      buildFleetElements(input(hosts.slice(1))).elements,
    ];
    const cy = cytoscape({ headless: true, styleEnabled: true });
    let drawn: MapElement[] = [];
    for (const next of steps) {
      applyDiff(cy, diffElements(drawn, next));
      drawn = next;
      const fresh = cytoscape({ headless: true, styleEnabled: true });
      applyDiff(fresh, diffElements([], next));
      const snapshot = (c: typeof cy) =>
        c
          .elements()
          .map((e) => ({
            id: e.id(),
            classes: [...e.classes()].sort().join(" "),
            parent: e.isNode() ? (e.parent().first().id() ?? null) : null,
            position: e.isNode() && e.isChildless() ? e.position() : null,
          }))
          .sort((a, b) => a.id.localeCompare(b.id));
      expect(snapshot(cy)).toEqual(snapshot(fresh));
      fresh.destroy();
    }
    cy.destroy();
  });
});

describe("live updates", () => {
  const summary = (hosts: FleetHost[]): FleetSummary => ({ hosts, generatedAt: "x" });

  it("patches the rows it got, adds new hosts in name order, drops deleted ones, keeps the others' objects", () => {
    const cached = summary(fleet(3));
    const patched = patchFleetRows(
      cached,
      [row(1, { containers: 4 }), row(9, { name: "node0001b" })],
      ["h2"],
    );
    expect(patched?.hosts.map((h) => h.id)).toEqual(["h0", "h1", "h9"]);
    expect(patched?.hosts[1]?.containers).toBe(4);
    expect(patched?.hosts[0]).toBe(cached.hosts[0]);
    expect(patchFleetRows(undefined, [row(1)])).toBeUndefined();
  });

  it("patches a host's status from host:changed, or says the host is unknown", () => {
    const cached = summary(fleet(2));
    const host = {
      id: "h1",
      name: "node0001",
      description: null,
      status: "offline" as const,
      hostname: null,
      agentVersion: null,
      lastSeenAt: null,
      createdAt: "x",
      revokedAt: null,
    };
    expect(patchFleetStatus(cached, host)?.hosts[1]?.status).toBe("offline");
    expect(patchFleetStatus(cached, { ...host, status: "online" })).toBe(cached);
    expect(patchFleetStatus(cached, { ...host, id: "new" })).toBeUndefined();
  });

  it("coalesces a burst of events into one flush per window", () => {
    const flushed: string[][] = [];
    let run: (() => void) | null = null;
    const coalescer = createCoalescer(
      (ids) => flushed.push(ids),
      250,
      (fn) => {
        run = fn;
        return () => {
          run = null;
        };
      },
    );
    for (const id of ["a", "b", "a", "c"]) coalescer.add(id);
    expect(flushed).toEqual([]);
    (run as (() => void) | null)?.();
    expect(flushed).toEqual([["a", "b", "c"]]);
    coalescer.add("d");
    coalescer.cancel();
    expect(run).toBeNull();
    expect(flushed).toHaveLength(1);
  });
});

describe("side list", () => {
  it("lists hosts, and bridges and containers of expanded hosts; renders only what is in view", () => {
    const detail = ovsHost();
    const rows = listRows(
      [row(0, { id: detail.id, name: detail.name }), row(1)],
      new Map([[detail.id, detail]]),
    );
    expect(rows.map((r) => r.kind)).toEqual(["host", "bridge", "container", "container", "host"]);
    const con1 = rows.find((r) => r.kind === "container" && r.name === "con1");
    expect(con1).toMatchObject({ bridge: "ovs0", vlan: 100 });
    expect(visibleRange(10_000, 2800, 560, 28)).toEqual({ start: 92, end: 129 });
    expect(visibleRange(3, 0, 560, 28)).toEqual({ start: 0, end: 3 });
  });
});
