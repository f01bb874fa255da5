import type { HostDetail, Network } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { traceL2 } from "../../src/ui/graph/trace";
import {
  container,
  host,
  iface,
  inventory,
  linuxBridgeHost,
  ovsBridge,
  ovsHost,
  ovsPort,
} from "./topology-fixtures";

/** host3 of the seed's OVS scenario: con3 on VLAN 100, con4 on VLAN 200, eth1 trunk carrying `trunks`. */
function otherOvsHost(trunks: number[] = [], uplink = true): HostDetail {
  return host(
    "host3",
    "online",
    inventory({
      interfaces: [
        iface("eth1", 3, { kind: "veth", peerIndex: 41 }),
        iface("ovs0", 4, { kind: "openvswitch" }),
        iface("vcon3", 10, { kind: "veth", peerIndex: 2 }),
        iface("vcon4", 11, { kind: "veth", peerIndex: 2 }),
      ],
      ovs: {
        available: true,
        error: null,
        bridges: [
          ovsBridge("ovs0", [
            ovsPort("ovs0", null),
            ...(uplink ? [ovsPort("eth1", null, trunks)] : []),
            ovsPort("vcon3", 100),
            ovsPort("vcon4", 200),
          ]),
        ],
      },
      containers: [container("con3", 10, "192.168.0.3"), container("con4", 11, "192.168.0.4")],
    }),
  );
}

const end = (h: HostDetail, name: string) => ({ host: h, containerId: `id-${name}` });

describe("traceL2 (the L2 path between two containers, from their hosts' inventories)", () => {
  it("con1 -> con3: access port VLAN 100, trunk, segment, trunk, access port, container", () => {
    const result = traceL2(end(ovsHost(), "con1"), end(otherOvsHost(), "con3"));
    expect(result.ok).toBe(true);
    expect(result.hops.map((h) => h.text)).toEqual([
      "con1 eth0",
      "veth vcon1 on host2",
      "OVS ovs0 port vcon1 access vlan 100",
      "trunk eth1 (all VLANs)",
      "L2 segment (VLAN 100) -> host3",
      "trunk eth1 (all VLANs)",
      "OVS ovs0 port vcon3 access vlan 100",
      "veth vcon3 on host3",
      "con3 eth0",
    ]);
    expect(result.hops[0]?.elementId).toBe("host/hid-host2/container/id-con1");
  });

  it("con1 -> con4: no path, different VLAN", () => {
    const result = traceL2(end(ovsHost(), "con1"), end(otherOvsHost(), "con4"));
    expect(result).toMatchObject({
      ok: false,
      reason: "different VLAN: con1 is on VLAN 100, con4 on VLAN 200",
    });
  });

  it("no path when the VLAN is not on the far trunk, or a host has no uplink", () => {
    expect(traceL2(end(ovsHost(), "con1"), end(otherOvsHost([200, 300]), "con3"))).toMatchObject({
      ok: false,
      reason: "VLAN 100 is not on host3's trunk: eth1 (trunks 200,300)",
    });
    expect(traceL2(end(ovsHost(), "con1"), end(otherOvsHost([100]), "con3")).ok).toBe(true);
    expect(traceL2(end(ovsHost(), "con1"), end(otherOvsHost([], false), "con3"))).toMatchObject({
      ok: false,
      reason: "ovs0 on host3 has no uplink: nothing leaves the host",
    });
  });

  it("same host, same bridge and VLAN: straight across the bridge; a Linux bridge is untagged", () => {
    const h = ovsHost();
    expect(traceL2(end(h, "con1"), end(h, "con2"))).toMatchObject({ ok: false });
    const linux = linuxBridgeHost();
    expect(traceL2(end(linux, "test1"), end(ovsHost(), "con1"))).toMatchObject({
      ok: false,
      reason: "different VLAN: test1 is on untagged, con1 on VLAN 100",
    });
    expect(traceL2(end(linux, "lonely"), end(linux, "test1"))).toMatchObject({
      ok: false,
      reason: "lonely has no interface on a bridge of host1",
    });
  });

  it("across VXLAN: both bridges carry the network's vx device, or the peer is missing", () => {
    const bridgeHost = (name: string, withVx: boolean, c: string) =>
      host(
        name,
        "online",
        inventory({
          interfaces: [
            iface("br0", 4, { kind: "bridge" }),
            ...(withVx ? [iface("vx42", 5, { kind: "vxlan", master: "br0" })] : []),
            iface(`v${c}`, 7, { kind: "veth", master: "br0", peerIndex: 2 }),
          ],
          bridges: [{ name: "br0", ports: [`v${c}`] }],
          containers: [container(c, 7, "10.42.0.2")],
        }),
      );
    const network = {
      id: "n42",
      name: "overlay42",
      vni: 42,
    } as unknown as Network;
    const ok = traceL2(end(bridgeHost("a", true, "ca"), "ca"), end(bridgeHost("b", true, "cb"), "cb"), [
      network,
    ]);
    expect(ok.ok).toBe(true);
    expect(ok.hops.map((h) => h.text)).toContain("VXLAN tunnel a -> b (overlay42)");
    expect(
      traceL2(end(bridgeHost("a", true, "ca"), "ca"), end(bridgeHost("b", false, "cb"), "cb")),
    ).toMatchObject({
      ok: false,
      reason: "VXLAN peer missing: a has vx42 on br0, b has none on br0",
    });
  });
});
