import type { DriftItem } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { markDrift } from "../../src/ui/graph/drift-overlay";
import { elementIds } from "../../src/ui/graph/element-ids";
import { buildTopologyElements, type TopologyElement } from "../../src/ui/graph/elements";
import { ovsHost, topology } from "./topology-fixtures";

const hostId = "hid-host2";
const item = (over: Partial<DriftItem>): DriftItem => ({
  kind: "missing_veth",
  attachmentId: "a1",
  networkId: "n1",
  container: null,
  containerId: null,
  ifname: null,
  bridge: null,
  port: null,
  expected: null,
  actual: null,
  text: "",
  ...over,
});

const classesOf = (elements: TopologyElement[], id: string) =>
  elements.find((e) => e.data.id === id)?.classes.split(" ") ?? [];

describe("drift overlay (drift items of an expanded host to element classes)", () => {
  const elements = buildTopologyElements(topology(ovsHost()));
  const con1 = elementIds.container(hostId, "id-con1");
  const con2 = elementIds.container(hostId, "id-con2");
  const ovs0 = elementIds.ovsBridge(hostId, "ovs0");

  it("marks a wrong tag on the container, its interface's edge and the bridge; nothing else changes", () => {
    const drift = new Map([
      [
        hostId,
        [item({ kind: "wrong_tag", containerId: "id-con1", ifname: "eth0", bridge: "ovs0", port: "vcon1" })],
      ],
    ]);
    const marked = markDrift(elements, drift);
    expect(classesOf(marked, con1)).toEqual(expect.arrayContaining(["drift", "drift-wrong_tag"]));
    expect(classesOf(marked, ovs0)).toContain("drift-wrong_tag");
    const edge = marked.find((e) => e.group === "edges" && e.data.target === con1);
    expect(edge?.classes.split(" ")).toContain("drift");
    expect(marked.find((e) => e.group === "edges" && e.data.target === con2)?.classes).not.toContain("drift");
    // Untouched elements are the same objects (the graph's diff stays one host's few elements).
    const untouched = elements.filter((e) => ![con1, ovs0].includes(e.data.id) && e.group === "nodes");
    for (const e of untouched) expect(marked).toContain(e);
  });

  it("marks the trunk uplink's node for a VLAN not on the trunk, and the host for a container no longer drawn", () => {
    const uplink = elementIds.hostInterface(hostId, "eth1");
    expect(elements.some((e) => e.data.id === uplink)).toBe(true);
    const marked = markDrift(
      elements,
      new Map([
        [
          hostId,
          [
            item({ kind: "vlan_not_on_trunk", attachmentId: null, bridge: "ovs0", port: "eth1" }),
            item({ kind: "missing_veth", container: "docker:gone", containerId: null }),
          ],
        ],
      ]),
    );
    expect(classesOf(marked, uplink)).toEqual(expect.arrayContaining(["drift", "drift-vlan_not_on_trunk"]));
    expect(classesOf(marked, ovs0)).toContain("drift-vlan_not_on_trunk");
    expect(classesOf(marked, elementIds.host(hostId))).toEqual(
      expect.arrayContaining(["drift", "drift-missing_veth"]),
    );
    expect(classesOf(marked, con1)).not.toContain("drift");
  });

  it("one class per kind when several items hit one element; no drift, no change", () => {
    const marked = markDrift(
      elements,
      new Map([
        [
          hostId,
          [
            item({ kind: "missing_port", containerId: "id-con2", ifname: "eth0" }),
            item({ kind: "unknown_interface_with_managed_address", containerId: "id-con2", ifname: "eth9" }),
            item({ kind: "missing_port", containerId: "id-con2", ifname: "eth0", text: "again" }),
          ],
        ],
      ]),
    );
    expect(classesOf(marked, con2).filter((c) => c.startsWith("drift"))).toEqual([
      "drift",
      "drift-missing_port",
      "drift-unknown_interface_with_managed_address",
    ]);
    const unchanged = markDrift(elements, new Map());
    expect(unchanged).toEqual(elements);
    for (const [i, e] of unchanged.entries()) expect(e).toBe(elements[i]);
  });
});
