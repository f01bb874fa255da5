import {
  fleetContainerAddress,
  fleetContainerName,
  fleetInventory,
  fleetVlan,
} from "@switchyard/db/fleet-seed";
import { type Inventory, inventorySchema } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { compareMatches, hostFacts, ipv4Network, matchScore } from "../src/topology/host-facts";

const options = { hosts: 300, containersPerHost: 10, prefix: "t-" };
const inventory = (index: number): Inventory =>
  inventorySchema.parse(fleetInventory(options, index, "2026-12-01T00:00:00.000Z"));

describe("host facts (the fleet map's row of one inventory)", () => {
  it("reads the seeded host as the issue describes it: subnet, trunk uplink, VLANs, drivers, counts", () => {
    const facts = hostFacts("t-node0123", inventory(123));
    expect(facts.subnet).toBe("10.20.1.0/24");
    expect(facts.uplink).toBe("ovs0/eth1 trunk all");
    expect(facts.containers).toBe(10);
    expect(facts.running).toBe(10);
    expect(facts.bridges).toBe(2);
    expect(facts.vlans).toEqual(
      [...new Set(Array.from({ length: 10 }, (_, k) => fleetVlan(123, k)))].sort((a, b) => a - b),
    );
    expect(facts.drivers).toEqual(["bridge", "ovs"]);
  });

  it("computes IPv4 networks", () => {
    expect(ipv4Network("10.20.3.77", 24)).toBe("10.20.3.0/24");
    expect(ipv4Network("10.20.3.77", 0)).toBe("0.0.0.0/0");
    expect(ipv4Network("10.20.3.77", 32)).toBe("10.20.3.77/32");
    expect(ipv4Network("fe80::1", 64)).toBeNull();
  });

  it("finds containers by name, address and MAC; exact before prefix before substring, hosts first", () => {
    const facts = hostFacts("t-node0005", inventory(5));
    const address = fleetContainerAddress(5, 3);
    const hits = facts.search.filter((e) => matchScore(e, address) !== null);
    expect(hits.map((e) => [e.kind, e.containerName])).toEqual([["address", fleetContainerName("t-", 5, 3)]]);
    const vlan = facts.search.filter((e) => matchScore(e, `vlan ${fleetVlan(5, 0)}`) === 0);
    expect(vlan).toHaveLength(1);
    const mac = inventory(5).containers[2]?.interfaces[0]?.mac ?? "";
    expect(facts.search.find((e) => matchScore(e, mac.toLowerCase()) === 0)?.containerName).toBe(
      fleetContainerName("t-", 5, 2),
    );
    const ranked = facts.search
      .map((entry) => ({ entry, score: matchScore(entry, "t-n") ?? 9, hostName: "t-node0005" }))
      .filter((m) => m.score < 9)
      .sort(compareMatches);
    expect(ranked[0]?.entry.kind).toBe("host");
    // The host once (its hostname equals its name) and its 10 containers.
    expect(ranked.map((m) => m.entry.kind)).toEqual(["host", ...Array(10).fill("container")]);
  });
});
