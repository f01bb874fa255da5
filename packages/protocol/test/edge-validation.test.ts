/**
 * What the API refuses up front is what the agent would refuse (issue 8 point 5, issue 9 point 6): one
 * schema per field, shared by the REST bodies and the desired state the agent parses.
 */
import { describe, expect, it } from "vitest";
import { inventoryReportSchema } from "../src/agent";
import { attachBodySchema } from "../src/attachments";
import { desiredEndpointSchema, desiredNetworkSchema } from "../src/desired-state";
import { type Inventory, inventorySchema } from "../src/inventory";
import { createPoolBodySchema } from "../src/ipam";
import { createNetworkBodySchema } from "../src/networks";
import { CONTAINER_REF_MAX, interfaceNameSchema, macAddressSchema } from "../src/validators";

/** The dotted field of the first issue, or null when the value is accepted. */
const fieldOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string | null =>
  r.success ? null : (r.error?.issues[0]?.path.map(String).join(".") ?? "");

const attach = (extra: Record<string, unknown>) =>
  fieldOf(attachBodySchema.safeParse({ host: "h1", network: "n1", container: "netns:c", ...extra }));

const endpoint = (extra: Record<string, unknown>) =>
  fieldOf(
    desiredEndpointSchema.safeParse({
      id: "e1",
      networkId: "n1",
      container: { runtime: "netns", ref: "c" },
      address: "10.0.0.2",
      ...extra,
    }),
  );

const network = (extra: Record<string, unknown>) =>
  fieldOf(
    createNetworkBodySchema.safeParse({ name: "n1", driver: "bridge", subnet: "10.0.0.0/24", ...extra }),
  );

const pool = (cidr: string) => fieldOf(createPoolBodySchema.safeParse({ name: "p1", cidr, blockSize: 1 }));

describe("container refs", () => {
  const long = "a".repeat(CONTAINER_REF_MAX + 1);
  const max = "a".repeat(CONTAINER_REF_MAX);

  it("the agent's limit is 255 characters (a file name), the same for the API", () => {
    expect(CONTAINER_REF_MAX).toBe(255);
  });

  it.each([
    "netns:../../proc/1/ns/net",
    "netns:/proc/1/ns/net",
    "netns:a;reboot",
    "netns:a/b",
    "netns:..",
    "netns:.",
    "netns:-x",
    "netns:",
    "docker:",
    `docker:${long}`,
    `netns:${long}`,
    long,
    "docker:-rm",
    "docker:_x",
    "docker:a/b",
    "docker:a;b",
    "../x",
    "a;b",
    "x:y",
  ])("text %j is refused naming container", (text) => {
    expect(attach({ container: text })).toBe("container");
  });

  it.each([
    { runtime: "netns", ref: "../../proc/1/ns/net" },
    { runtime: "netns", ref: "/proc/1/ns/net" },
    { runtime: "netns", ref: "a;reboot" },
    { runtime: "netns", ref: ".." },
    { runtime: "docker", ref: "a b" },
    { runtime: "docker", ref: "-rm" },
    { runtime: "docker", ref: long },
  ])("object %j is refused naming container.ref", (container) => {
    expect(attach({ container })).toBe("container.ref");
    // The agent refuses the same ref in its desired state.
    expect(endpoint({ container })).toBe("container.ref");
  });

  it.each([
    "netns:c",
    "netns:web-1",
    "netns:sy-ab12_c1.x",
    "netns:_private",
    "docker:con1",
    `docker:${"f".repeat(64)}`,
    `docker:${max}`,
    `netns:${max}`,
    max,
    "con1",
    "web.1",
  ])("text %j is accepted", (text) => {
    expect(attach({ container: text })).toBeNull();
  });

  it("objects the agent accepts are accepted", () => {
    for (const container of [
      { runtime: "netns", ref: "c" },
      { runtime: "docker", ref: "con_1.a-b" },
      { runtime: "docker", ref: max },
    ]) {
      expect([container, attach({ container })]).toEqual([container, null]);
      expect([container, endpoint({ container })]).toEqual([container, null]);
    }
  });
});

describe("interface names", () => {
  it.each([
    "-x",
    "--",
    "-",
    "--help",
    "-eth1",
    ".",
    "..",
    "",
    "a b",
    "a/b",
    "a:b",
    "a\tb",
    "a\u0001b",
    "sixteen-bytes-xx",
  ])("%j is refused", (name) => {
    expect(interfaceNameSchema.safeParse(name).success).toBe(false);
  });

  it.each(["eth1", "br-0", "a-", "veth.1", "x_y", "ovs0", "fifteen-bytes-x"])("%j is accepted", (name) => {
    expect(interfaceNameSchema.safeParse(name).success).toBe(true);
  });

  it("every interface field of the API refuses a leading '-', and the agent's desired state too", () => {
    expect(attach({ ifname: "--" })).toBe("ifname");
    expect(attach({ ifname: "-eth1" })).toBe("ifname");
    expect(network({ bridgeName: "--" })).toBe("bridgeName");
    expect(network({ uplink: "-eth1" })).toBe("uplink");
    expect(network({ hostOverrides: { h1: { bridgeName: "--" } } })).toBe("hostOverrides.h1.bridgeName");
    expect(network({ hostOverrides: { h1: { uplink: "-x" } } })).toBe("hostOverrides.h1.uplink");
    expect(endpoint({ ifname: "--" })).toBe("ifname");
    expect(
      fieldOf(
        desiredNetworkSchema.safeParse({
          id: "n1",
          name: "n1",
          driver: "bridge",
          bridgeName: "--",
          prefixLength: 24,
        }),
      ),
    ).toBe("bridgeName");
  });
});

describe("MAC addresses", () => {
  it.each([
    "ff:ff:ff:ff:ff:ff",
    "FF:FF:FF:FF:FF:FF",
    "01:00:5e:00:00:01",
    "33:33:00:00:00:01",
    "03:00:00:00:00:00",
    "00:00:00:00:00:00",
  ])("%j (broadcast, multicast or all-zero) is refused, by the API and the agent", (mac) => {
    expect(macAddressSchema.safeParse(mac).success).toBe(false);
    expect(attach({ mac })).toBe("mac");
    expect(endpoint({ mac })).toBe("mac");
  });

  it.each(["02:42:ac:11:00:02", "00:16:3e:aa:bb:cc", "02:00:00:00:00:01", "02:AA:BB:CC:DD:EE"])(
    "%j (unicast) is accepted",
    (mac) => {
      expect(macAddressSchema.safeParse(mac).success).toBe(true);
      expect(attach({ mac })).toBeNull();
    },
  );
});

describe("subnets of networks and pools", () => {
  it.each([
    "0.0.0.0/0",
    "::/0",
    "0.0.0.0/8",
    "0.0.0.0/32",
    "127.0.0.0/8",
    "127.0.0.0/24",
    "224.0.0.0/4",
    "224.0.0.0/24",
    "239.1.0.0/16",
    "240.0.0.0/4",
    "255.255.255.255/32",
    "169.254.0.0/16",
    "169.254.1.0/24",
    "10.0.0.0/7",
    "::1/128",
    "::/128",
    "ff00::/8",
    "ff02::/16",
    "fe80::/10",
    "fe80::/64",
    "::ffff:0:0/96",
    "2001:db8::/32",
    "2001:db8::/47",
  ])("%j is refused naming subnet / cidr", (cidr) => {
    expect(network({ subnet: cidr })).toBe("subnet");
    expect(pool(cidr)).toBe("cidr");
  });

  it.each([
    "10.0.0.0/8",
    "10.0.0.0/24",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "10.0.0.9/32",
    "2001:db8::/64",
    "2001:db8::/48",
    "fd00:1::/64",
    "2001:db8::/128",
  ])("%j is accepted", (cidr) => {
    expect(network({ subnet: cidr })).toBeNull();
    expect(pool(cidr)).toBeNull();
  });

  it("a VXLAN underlay override must be a unicast address another host can send to", () => {
    for (const address of ["127.0.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "169.254.1.1"]) {
      expect([address, network({ hostOverrides: { h1: { underlayAddress: address } } })]).toEqual([
        address,
        "hostOverrides.h1.underlayAddress",
      ]);
    }
    expect(network({ hostOverrides: { h1: { underlayAddress: "192.0.2.10" } } })).toBeNull();
  });
});

describe("inventory from agents", () => {
  const base = (): Inventory => ({
    collectedAt: "2026-12-01T00:00:00Z",
    hostname: "h1",
    interfaces: [
      {
        name: "eth0",
        index: 2,
        kind: "",
        mac: "02:00:00:00:00:01",
        mtu: 1500,
        operState: "UP",
        master: null,
        peerIndex: null,
        addresses: [{ family: "inet", address: "192.0.2.10", prefixLength: 24 }],
      },
    ],
    bridges: [],
    ovs: { available: false, error: null, bridges: [] },
    namespaces: [],
    docker: { available: false, error: null },
    containers: [
      {
        id: "c1",
        name: "c1",
        runtime: "netns",
        state: "running",
        pid: null,
        interfaces: [
          {
            name: "eth1",
            index: 5,
            kind: "veth",
            mac: null,
            peerIndex: 6,
            addresses: [{ family: "inet6", address: "2001:db8::5", prefixLength: 64 }],
          },
        ],
      },
    ],
  });
  const withHostAddress = (address: string, family: "inet" | "inet6" = "inet", prefixLength = 24) => {
    const inv = base();
    const eth0 = inv.interfaces[0];
    if (eth0) eth0.addresses = [{ family, address, prefixLength }];
    return fieldOf(inventoryReportSchema.safeParse({ inventory: inv }));
  };

  it("a real inventory is accepted (IPv4-mapped and link-local IPv6 included)", () => {
    expect(fieldOf(inventorySchema.safeParse(base()))).toBeNull();
    expect(withHostAddress("fe80::1", "inet6", 64)).toBeNull();
    expect(withHostAddress("::ffff:192.0.2.1", "inet6", 128)).toBeNull();
  });

  it.each([
    ["not-an-ip", "inet"],
    ["10.0.0.300", "inet"],
    ["$(reboot)", "inet"],
    ["10.0.0.1;reboot", "inet"],
    ["2001:db8::1", "inet"],
    ["192.0.2.1", "inet6"],
    ["", "inet"],
    [" 10.0.0.1", "inet"],
  ] as const)("host address %j (%s) is refused naming it", (address, family) => {
    expect(withHostAddress(address, family)).toBe("inventory.interfaces.0.addresses.0.address");
  });

  it("an IPv4 prefix over 32 is refused", () => {
    expect(withHostAddress("192.0.2.10", "inet", 33)).toBe("inventory.interfaces.0.addresses.0.prefixLength");
  });

  it("a container interface address that is not an IP is refused", () => {
    const inv = base();
    const addr = inv.containers[0]?.interfaces[0]?.addresses[0];
    if (addr) addr.address = "nope";
    expect(fieldOf(inventorySchema.safeParse(inv))).toBe("containers.0.interfaces.0.addresses.0.address");
  });

  it("interface names the kernel cannot hold are refused", () => {
    for (const name of ["", "a/b", "a b", "sixteen-bytes-xx", ".."]) {
      const inv = base();
      const eth0 = inv.interfaces[0];
      if (eth0) eth0.name = name;
      expect([name, fieldOf(inventorySchema.safeParse(inv))]).toEqual([name, "interfaces.0.name"]);
    }
  });
});
