import { describe, expect, it } from "vitest";
import { elementIds } from "../../src/ui/graph/element-ids";
import {
  buildTopologyElements,
  type TopologyEdgeData,
  type TopologyElement,
} from "../../src/ui/graph/elements";
import { vlanColor } from "../../src/ui/graph/vlan-colors";
import {
  container,
  host,
  iface,
  inventory,
  linuxBridgeHost,
  ovsBridge,
  ovsHost,
  ovsPort,
  topology,
} from "./topology-fixtures";

function byId(elements: TopologyElement[], id: string): TopologyElement {
  const found = elements.find((element) => element.data.id === id);
  if (!found) throw new Error(`no element ${id}; have ${elements.map((e) => e.data.id).join(", ")}`);
  return found;
}

function edges(elements: TopologyElement[]): TopologyEdgeData[] {
  return elements.flatMap((element) => (element.group === "edges" ? [element.data] : []));
}

function edgeBetween(elements: TopologyElement[], source: string, target: string): TopologyEdgeData {
  const found = edges(elements).find((edge) => edge.source === source && edge.target === target);
  if (!found) throw new Error(`no edge ${source} -> ${target}`);
  return found;
}

describe("buildTopologyElements", () => {
  it("draws nothing for an empty topology", () => {
    expect(buildTopologyElements(topology())).toEqual([]);
  });

  it("draws a host without inventory as a lone compound node, labelled with its status", () => {
    const elements = buildTopologyElements(topology(host("fresh", "pending", null)));
    expect(elements).toHaveLength(1);
    expect(elements[0]?.data).toMatchObject({ kind: "host", label: "fresh · pending", status: "pending" });
    expect(elements[0]?.classes).toContain("status-pending");
  });

  it("draws a host with an empty inventory as just the host", () => {
    const elements = buildTopologyElements(topology(host("empty", "online", inventory())));
    expect(elements.map((element) => element.data.kind)).toEqual(["host"]);
  });

  it("marks online and offline hosts with different classes", () => {
    const online = host("a", "online", inventory());
    const offline = { ...host("b", "offline", inventory()), id: "hid-b" };
    const elements = buildTopologyElements(topology(offline, online));
    expect(byId(elements, elementIds.host("hid-a")).classes).toBe("host status-online");
    expect(byId(elements, elementIds.host("hid-b")).classes).toBe("host status-offline");
    expect(byId(elements, elementIds.host("hid-b")).data.label).toBe("b · offline");
  });

  it("puts a Linux bridge and its uplink inside the host", () => {
    const elements = buildTopologyElements(topology(linuxBridgeHost()));
    const hostId = elementIds.host("hid-host1");
    const bridgeId = elementIds.linuxBridge("hid-host1", "br0");
    const uplinkId = elementIds.hostInterface("hid-host1", "eth1");
    expect(byId(elements, bridgeId).data).toMatchObject({
      kind: "linux-bridge",
      parent: hostId,
      name: "br0",
    });
    expect(byId(elements, uplinkId).data).toMatchObject({ kind: "uplink", parent: hostId });
    expect(edgeBetween(elements, bridgeId, uplinkId).kind).toBe("uplink");
  });

  it("links a container to the bridge its veth peer is enslaved to, not as an uplink", () => {
    const elements = buildTopologyElements(topology(linuxBridgeHost()));
    const bridgeId = elementIds.linuxBridge("hid-host1", "br0");
    const containerId = elementIds.container("hid-host1", "id-test1");
    expect(byId(elements, containerId).data).toMatchObject({ kind: "container", name: "test1" });
    expect(byId(elements, containerId).data.label).toBe("test1\n10.10.103.95");
    expect(edgeBetween(elements, bridgeId, containerId).kind).toBe("attachment");
    expect(
      elements.some((element) => element.data.id === elementIds.hostInterface("hid-host1", "veth1pl")),
    ).toBe(false);
  });

  it("draws a container whose peer is not found, without edges", () => {
    const elements = buildTopologyElements(topology(linuxBridgeHost()));
    const lonely = elementIds.container("hid-host1", "id-lonely");
    expect(byId(elements, lonely).data.kind).toBe("container");
    expect(edges(elements).filter((edge) => edge.target === lonely || edge.source === lonely)).toEqual([]);
  });

  it("links OVS containers through their port name, with the VLAN tag as label and colour", () => {
    const elements = buildTopologyElements(topology(ovsHost()));
    const ovsId = elementIds.ovsBridge("hid-host2", "ovs0");
    const con1 = edgeBetween(elements, ovsId, elementIds.container("hid-host2", "id-con1"));
    const con2 = edgeBetween(elements, ovsId, elementIds.container("hid-host2", "id-con2"));
    expect(con1).toMatchObject({ label: "vlan 100", vlan: 100, color: vlanColor(100) });
    expect(con2).toMatchObject({ label: "vlan 200", vlan: 200, color: vlanColor(200) });
    expect(con1.color).not.toBe(con2.color);
    expect(byId(elements, con1.id).classes).toContain("vlan-100");
  });

  it("shows the OVS trunk uplink but not the bridge's own internal port or container ports", () => {
    const elements = buildTopologyElements(topology(ovsHost()));
    const ovsId = elementIds.ovsBridge("hid-host2", "ovs0");
    const trunk = edgeBetween(elements, ovsId, elementIds.hostInterface("hid-host2", "eth1"));
    expect(trunk).toMatchObject({ kind: "uplink", label: "trunk", vlan: null });
    const interfaceNodes = elements.flatMap((e) =>
      e.group === "nodes" && e.data.kind === "uplink" ? [e.data.name] : [],
    );
    expect(interfaceNodes).toEqual(["eth1"]);
  });

  it("labels an OVS port with explicit trunks", () => {
    const base = ovsHost();
    const withTrunks = {
      ...base,
      inventory: inventory({
        interfaces: [iface("bond0", 3)],
        ovs: {
          available: true,
          error: null,
          bridges: [ovsBridge("ovs0", [ovsPort("bond0", null, [100, 200])])],
        },
      }),
    };
    const elements = buildTopologyElements(topology(withTrunks));
    const trunk = edgeBetween(
      elements,
      elementIds.ovsBridge("hid-host2", "ovs0"),
      elementIds.hostInterface("hid-host2", "bond0"),
    );
    expect(trunk.label).toBe("trunk 100,200");
  });

  it("links a macvlan container to its parent NIC and keeps that NIC an uplink", () => {
    const macvlanContainer = container("mv1", 3);
    const first = macvlanContainer.interfaces[0];
    if (!first) throw new Error("fixture");
    macvlanContainer.interfaces = [{ ...first, kind: "macvlan" }];
    const elements = buildTopologyElements(
      topology(
        host(
          "h",
          "online",
          inventory({
            interfaces: [iface("eth1", 3, { master: "br0" }), iface("br0", 4, { kind: "bridge" })],
            bridges: [{ name: "br0", ports: ["eth1"] }],
            containers: [macvlanContainer],
          }),
        ),
      ),
    );
    const nic = elementIds.hostInterface("hid-h", "eth1");
    expect(byId(elements, nic).data.kind).toBe("uplink");
    expect(edgeBetween(elements, nic, elementIds.container("hid-h", "id-mv1")).label).toBe("macvlan");
  });

  it("shows a plain NIC on no bridge with its address, but not loopback or OVS ports twice", () => {
    const elements = buildTopologyElements(
      topology(
        host(
          "h",
          "online",
          inventory({
            interfaces: [
              iface("lo", 1, { mac: "00:00:00:00:00:00" }),
              iface("eth0", 2, { addresses: [{ family: "inet", address: "192.0.2.2", prefixLength: 24 }] }),
              iface("bond0", 3),
            ],
            ovs: { available: true, error: null, bridges: [ovsBridge("ovs0", [ovsPort("bond0", null)])] },
          }),
        ),
      ),
    );
    const nic = byId(elements, elementIds.hostInterface("hid-h", "eth0"));
    expect(nic.data).toMatchObject({ kind: "host-interface", label: "eth0\n192.0.2.2/24" });
    expect(byId(elements, elementIds.hostInterface("hid-h", "bond0")).data.kind).toBe("uplink");
    expect(elements.some((e) => e.data.id === elementIds.hostInterface("hid-h", "lo"))).toBe(false);
  });

  it("gives every element a unique id, and the same ids for the same input", () => {
    const input = topology(linuxBridgeHost(), ovsHost());
    const first = buildTopologyElements(input);
    const ids = first.map((element) => element.data.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(buildTopologyElements(input)).toEqual(first);
    for (const element of first) {
      if (element.group === "edges") {
        expect(ids).toContain(element.data.source);
        expect(ids).toContain(element.data.target);
      }
    }
  });

  it("keeps children inside their own host's compound node", () => {
    const elements = buildTopologyElements(topology(linuxBridgeHost(), ovsHost()));
    for (const element of elements) {
      if (element.group === "nodes" && element.data.kind !== "host") {
        expect(element.data.parent).toBe(elementIds.host(element.data.hostId));
      }
    }
  });
});
