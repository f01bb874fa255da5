import cytoscape, { type Core } from "cytoscape";
import fcose from "cytoscape-fcose";
import { beforeAll, describe, expect, it } from "vitest";
import { elementIds } from "../../src/ui/graph/element-ids";
import { buildTopologyElements } from "../../src/ui/graph/elements";
import { runIncrementalLayout, runInitialLayout } from "../../src/ui/graph/layout";
import { syncElements } from "../../src/ui/graph/sync-elements";
import { container, iface, linuxBridgeHost, ovsHost, ovsPort, topology } from "./topology-fixtures";

beforeAll(() => {
  cytoscape.use(fcose);
});

function headless(): Core {
  return cytoscape({ headless: true, styleEnabled: true });
}

function leafPositions(cy: Core): Map<string, { x: number; y: number }> {
  const positions = new Map<string, { x: number; y: number }>();
  cy.nodes().forEach((node) => {
    if (node.isChildless()) positions.set(node.id(), { ...node.position() });
  });
  return positions;
}

/** host2 of the fixtures with a third container, con5, on VLAN 100. */
function ovsHostWithCon5() {
  const base = ovsHost();
  const inventory = base.inventory;
  if (!inventory) throw new Error("fixture");
  const bridge = inventory.ovs.bridges[0];
  if (!bridge) throw new Error("fixture");
  return {
    ...base,
    inventory: {
      ...inventory,
      interfaces: [...inventory.interfaces, iface("vcon5", 12, { kind: "veth", peerIndex: 2 })],
      ovs: { ...inventory.ovs, bridges: [{ ...bridge, ports: [...bridge.ports, ovsPort("vcon5", 100)] }] },
      containers: [...inventory.containers, container("con5", 12, "192.168.0.5")],
    },
  };
}

describe("syncElements", () => {
  it("adds everything the first time, then reports only new nodes", () => {
    const cy = headless();
    const first = syncElements(cy, buildTopologyElements(topology(linuxBridgeHost())));
    expect(first.addedNodeIds.length).toBe(cy.nodes().length);
    const again = syncElements(cy, buildTopologyElements(topology(linuxBridgeHost())));
    expect(again).toEqual({ addedNodeIds: [], removedCount: 0 });
  });

  it("updates a host's status class in place, keeping its position", () => {
    const cy = headless();
    const online = linuxBridgeHost();
    syncElements(cy, buildTopologyElements(topology(online)));
    runInitialLayout(cy);
    const before = leafPositions(cy);
    const result = syncElements(cy, buildTopologyElements(topology({ ...online, status: "offline" })));
    const hostNode = cy.getElementById(elementIds.host(online.id));
    expect(result.addedNodeIds).toEqual([]);
    expect(hostNode.hasClass("status-offline")).toBe(true);
    expect(hostNode.hasClass("status-online")).toBe(false);
    expect(hostNode.data("label")).toBe("host1 · offline");
    expect(leafPositions(cy)).toEqual(before);
  });

  it("removes what disappeared", () => {
    const cy = headless();
    syncElements(cy, buildTopologyElements(topology(linuxBridgeHost(), ovsHost())));
    const result = syncElements(cy, buildTopologyElements(topology(linuxBridgeHost())));
    expect(result.removedCount).toBeGreaterThan(0);
    expect(cy.nodes().filter((node) => node.data("hostName") === "host2").length).toBe(0);
  });
});

describe("incremental layout", () => {
  it("places a new container without moving the nodes that were already there", async () => {
    const cy = headless();
    syncElements(cy, buildTopologyElements(topology(linuxBridgeHost(), ovsHost())));
    runInitialLayout(cy);
    const before = leafPositions(cy);

    const { addedNodeIds } = syncElements(
      cy,
      buildTopologyElements(topology(linuxBridgeHost(), ovsHostWithCon5())),
    );
    expect(addedNodeIds).toEqual([elementIds.container("hid-host2", "id-con5")]);
    const stopped = new Promise<void>((resolve) => cy.one("layoutstop", () => resolve()));
    runIncrementalLayout(cy, addedNodeIds);
    await stopped;

    const after = leafPositions(cy);
    for (const [id, position] of before) {
      const now = after.get(id);
      expect(now?.x).toBeCloseTo(position.x, 0);
      expect(now?.y).toBeCloseTo(position.y, 0);
    }
    const added = after.get(elementIds.container("hid-host2", "id-con5"));
    expect(Number.isFinite(added?.x)).toBe(true);
  });
});
