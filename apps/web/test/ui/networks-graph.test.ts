import { describe, expect, it } from "vitest";
import { elementIds } from "../../src/ui/graph/element-ids";
import { buildTopologyElements, type TopologyEdgeData } from "../../src/ui/graph/elements";
import {
  attachmentMatchesContainer,
  containerAttachmentStatus,
  tunnelPairs,
} from "../../src/ui/graph/network-overlay";
import { attachment, network } from "./networks-fixtures";
import { container, host, iface, inventory, topology } from "./topology-fixtures";

/** A host in its own subnet with the vxlan network's bridge brvx42 holding vx42 and a container's veth. */
function vxlanHost(name: string, withDevice = true) {
  return host(
    name,
    "online",
    inventory({
      interfaces: [
        iface("eth0", 2, { addresses: [{ family: "inet", address: "10.0.1.10", prefixLength: 24 }] }),
        iface("brvx42", 5, { kind: "bridge" }),
        ...(withDevice ? [iface("vx42", 6, { kind: "vxlan", master: "brvx42" })] : []),
        iface(`v-${name}`, 7, { kind: "veth", master: "brvx42", peerIndex: 2 }),
      ],
      bridges: [{ name: "brvx42", ports: withDevice ? ["vx42", `v-${name}`] : [`v-${name}`] }],
      containers: [container(`c-${name}`, 7, "10.42.0.2")],
    }),
  );
}

const overlay = (...hostNames: string[]) => ({
  networks: [
    network("overlay", { id: "nid-overlay", driver: "vxlan", vni: 42, bridgeName: "brvx42", uplink: null }),
  ],
  attachments: hostNames.map((h, i) =>
    attachment(`a${i}`, {
      networkId: "nid-overlay",
      networkName: "overlay",
      hostId: `hid-${h}`,
      hostName: h,
      container: { runtime: "docker", ref: `c-${h}` },
    }),
  ),
});

const tunnels = (elements: ReturnType<typeof buildTopologyElements>): TopologyEdgeData[] =>
  elements.flatMap((e) => (e.group === "edges" && e.data.kind === "tunnel" ? [e.data] : []));

describe("VXLAN tunnels in the graph", () => {
  it("joins the VXLAN devices of two hosts that have endpoints on one vxlan network", () => {
    const elements = buildTopologyElements(topology(vxlanHost("h1"), vxlanHost("h2")), overlay("h1", "h2"));
    const [tunnel, ...more] = tunnels(elements);
    expect(more).toEqual([]);
    expect(tunnel).toMatchObject({
      id: "tunnel/nid-overlay/hid-h1/hid-h2",
      source: elementIds.hostInterface("hid-h1", "vx42"),
      target: elementIds.hostInterface("hid-h2", "vx42"),
      label: "vxlan 42",
      networkId: "nid-overlay",
      hostId: "hid-h1",
      peerHostId: "hid-h2",
    });
    const edge = elements.find((e) => e.data.id === tunnel?.id);
    expect(edge?.classes).toBe("tunnel vxlan vni-42");
    // Every edge's ends exist, so cytoscape can draw it.
    const ids = new Set(elements.map((e) => e.data.id));
    expect(tunnels(elements).every((t) => ids.has(t.source) && ids.has(t.target))).toBe(true);
  });

  it("falls back to the network's bridge, then to the host, when the device is not in the inventory", () => {
    const noInventory = host("h3", "offline", null);
    const elements = buildTopologyElements(
      topology(vxlanHost("h1", false), noInventory),
      overlay("h1", "h3"),
    );
    expect(tunnels(elements).map((t) => [t.source, t.target])).toEqual([
      [elementIds.linuxBridge("hid-h1", "brvx42"), elementIds.host("hid-h3")],
    ]);
  });

  it("draws no tunnel for one host, for detached endpoints, or for other drivers", () => {
    expect(tunnels(buildTopologyElements(topology(vxlanHost("h1"), vxlanHost("h2")), overlay("h1")))).toEqual(
      [],
    );
    const detached = overlay("h1", "h2");
    detached.attachments[1] = {
      ...detached.attachments[1],
      status: "detached",
    } as (typeof detached.attachments)[number];
    expect(tunnels(buildTopologyElements(topology(vxlanHost("h1"), vxlanHost("h2")), detached))).toEqual([]);
    const bridged = overlay("h1", "h2");
    bridged.networks = [network("overlay", { id: "nid-overlay", driver: "bridge" })];
    expect(tunnels(buildTopologyElements(topology(vxlanHost("h1"), vxlanHost("h2")), bridged))).toEqual([]);
  });

  it("meshes three hosts (one edge per pair, once) and keeps ids stable across updates", () => {
    const topo = topology(vxlanHost("h3"), vxlanHost("h1"), vxlanHost("h2"));
    const first = tunnels(buildTopologyElements(topo, overlay("h2", "h3", "h1", "h1")));
    expect(first.map((t) => t.id)).toEqual([
      "tunnel/nid-overlay/hid-h1/hid-h2",
      "tunnel/nid-overlay/hid-h1/hid-h3",
      "tunnel/nid-overlay/hid-h2/hid-h3",
    ]);
    const again = tunnels(buildTopologyElements(topo, overlay("h1", "h2", "h3")));
    expect(again.map((t) => t.id)).toEqual(first.map((t) => t.id));
  });

  it("draws a ring instead of a full mesh beyond the mesh limit", () => {
    expect(tunnelPairs([1, 2, 3])).toEqual([
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
    expect(tunnelPairs([1, 2, 3, 4], 3)).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 1],
    ]);
    expect(tunnelPairs([1])).toEqual([]);
  });
});

describe("attachment states on containers", () => {
  it("marks a container with the worst status of its attachments", () => {
    const h = vxlanHost("h1");
    const c = { runtime: "docker" as const, id: "id-c-h1", name: "c-h1" };
    const a = (id: string, status: "applied" | "pending" | "failed" | "detached") =>
      attachment(id, { hostId: "hid-h1", container: { runtime: "docker", ref: "c-h1" }, status });
    expect(containerAttachmentStatus("hid-h1", c, [])).toBeNull();
    expect(containerAttachmentStatus("hid-h1", c, [a("1", "applied"), a("2", "pending")])).toBe("pending");
    expect(containerAttachmentStatus("hid-h1", c, [a("1", "failed"), a("2", "pending")])).toBe("failed");
    expect(containerAttachmentStatus("hid-h1", c, [a("1", "detached")])).toBeNull();
    expect(containerAttachmentStatus("hid-h2", c, [a("1", "failed")])).toBeNull();

    const elements = buildTopologyElements(topology(h), { networks: [], attachments: [a("1", "failed")] });
    const node = elements.find((e) => e.data.id === elementIds.container("hid-h1", "id-c-h1"));
    expect(node?.classes).toContain("attach-failed");
    expect(node?.data).toMatchObject({ attachmentStatus: "failed", runtime: "docker" });
    const plain = buildTopologyElements(topology(h)).find((e) => e.data.id === node?.data.id);
    expect(plain?.classes).not.toContain("attach-");
  });

  it("names the network on the edge of an attached interface", () => {
    const h = host(
      "h1",
      "online",
      inventory({
        interfaces: [
          iface("ovs0", 4, { kind: "openvswitch" }),
          iface("vcon1", 10, { kind: "veth", peerIndex: 2 }),
        ],
        ovs: {
          available: true,
          error: null,
          bridges: [
            {
              name: "ovs0",
              datapathType: "netdev",
              ports: [{ name: "vcon1", tag: 100, trunks: [], interfaceType: "", externalIds: {} }],
            },
          ],
        },
        containers: [
          {
            ...container("con1", 10),
            interfaces: [{ ...container("con1", 10).interfaces[0], name: "eth1" } as never],
          },
        ],
      }),
    );
    const a = attachment("x", {
      hostId: "hid-h1",
      networkName: "vlan100",
      container: { runtime: "docker", ref: "con1" },
      ifname: "eth1",
    });
    const edgeOf = (elements: ReturnType<typeof buildTopologyElements>) =>
      elements.find((e) => e.group === "edges" && e.data.target === elementIds.container("hid-h1", "id-con1"))
        ?.data;
    expect(edgeOf(buildTopologyElements(topology(h), { networks: [], attachments: [a] }))?.label).toBe(
      "vlan100 · vlan 100",
    );
    expect(edgeOf(buildTopologyElements(topology(h)))?.label).toBe("vlan 100");
    const otherIf = { ...a, ifname: "eth2" };
    expect(edgeOf(buildTopologyElements(topology(h), { networks: [], attachments: [otherIf] }))?.label).toBe(
      "vlan 100",
    );
  });

  it("matches docker containers by name, full id or short id, and netns by name", () => {
    const c = { runtime: "docker" as const, id: "3f2a9c1b7d4e5f60718293a4b5c6d7e8", name: "web1" };
    const ref = (runtime: "docker" | "netns", r: string) => ({ container: { runtime, ref: r } });
    expect(attachmentMatchesContainer(ref("docker", "web1"), c)).toBe(true);
    expect(attachmentMatchesContainer(ref("docker", c.id), c)).toBe(true);
    expect(attachmentMatchesContainer(ref("docker", "3f2a9c1b7d4e"), c)).toBe(true);
    expect(attachmentMatchesContainer(ref("docker", "3f2a"), c)).toBe(false);
    expect(attachmentMatchesContainer(ref("netns", "web1"), c)).toBe(false);
  });
});
