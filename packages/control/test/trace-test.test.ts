import type { Container } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { type AttachedAddress, chooseTestAddresses } from "../src/topology/trace-test";

const container = (
  id: string,
  addresses: [string, number][],
  runtime: "netns" | "docker" = "netns",
): Container => ({
  id,
  name: id,
  runtime,
  state: "running",
  pid: null,
  interfaces: [
    {
      name: "eth0",
      index: 2,
      kind: "veth",
      mac: null,
      peerIndex: null,
      addresses: addresses.map(([address, prefixLength]) => ({
        family: address.includes(":") ? ("inet6" as const) : ("inet" as const),
        address,
        prefixLength,
      })),
    },
  ],
});
const attached = (ref: string, networkId: string, address: string): AttachedAddress => ({
  networkId,
  networkName: `net-${networkId}`,
  containerRuntime: "netns",
  containerRef: ref,
  address,
});

describe("the trace test's addresses (chooseTestAddresses)", () => {
  it("prefers the containers' attachments to one network", () => {
    const a = container("con1", [["192.168.0.2", 24]]);
    const b = container("con3", [["192.168.0.4", 24]]);
    expect(
      chooseTestAddresses(
        {
          container: a,
          attachments: [attached("con1", "n200", "10.0.0.9"), attached("con1", "n100", "192.168.0.2")],
        },
        {
          container: b,
          attachments: [attached("con3", "n100", "192.168.0.4"), attached("con9", "n200", "10.0.0.8")],
        },
      ),
    ).toEqual({ from: "192.168.0.2", to: "192.168.0.4", network: "net-n100" });
  });

  it("without a common attachment: two interface addresses in one subnet (VLANs do not show in addresses)", () => {
    const a = container("con1", [
      ["127.0.0.1", 8],
      ["fe80::1", 64],
      ["192.168.0.2", 24],
    ]);
    const b = container("con4", [
      ["fe80::2", 64],
      ["10.1.0.5", 24],
      ["192.168.0.5", 24],
    ]);
    expect(chooseTestAddresses({ container: a, attachments: [] }, { container: b, attachments: [] })).toEqual(
      {
        from: "192.168.0.2",
        to: "192.168.0.5",
        network: null,
      },
    );
    const v6 = chooseTestAddresses(
      { container: container("x", [["fd00::1", 64]]), attachments: [] },
      { container: container("y", [["fd00::2", 64]]), attachments: [] },
    );
    expect(v6).toEqual({ from: "fd00::1", to: "fd00::2", network: null });
  });

  it("nothing in common: null (link-local and loopback do not count)", () => {
    const a = container("con1", [
      ["127.0.0.1", 8],
      ["fe80::1", 64],
      ["10.0.0.1", 24],
    ]);
    const b = container("con2", [
      ["127.0.0.1", 8],
      ["fe80::2", 64],
      ["10.0.1.1", 24],
    ]);
    expect(
      chooseTestAddresses({ container: a, attachments: [] }, { container: b, attachments: [] }),
    ).toBeNull();
  });
});
