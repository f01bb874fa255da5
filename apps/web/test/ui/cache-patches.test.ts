import type { HostSummary } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { patchHostDetail, patchHostList, patchTopology } from "../../src/ui/queries/cache-patches";
import { host, inventory, topology } from "./topology-fixtures";

function summary(name: string, status: HostSummary["status"]): HostSummary {
  const { inventory: _inventory, inventoryReceivedAt: _received, ...rest } = host(name, status, null);
  return rest;
}

describe("cache patches for host:changed", () => {
  it("replaces a known host in the list and appends a new one", () => {
    const list = [summary("a", "online"), summary("b", "online")];
    expect(patchHostList(list, summary("b", "offline"))?.map((h) => h.status)).toEqual(["online", "offline"]);
    expect(patchHostList(list, summary("c", "pending"))?.map((h) => h.name)).toEqual(["a", "b", "c"]);
    expect(patchHostList(undefined, summary("c", "pending"))).toBeUndefined();
  });

  it("updates a cached host detail but keeps its inventory", () => {
    const detail = host("a", "online", inventory({ hostname: "node-a" }));
    const patched = patchHostDetail(detail, summary("a", "offline"));
    expect(patched?.status).toBe("offline");
    expect(patched?.inventory?.hostname).toBe("node-a");
    expect(patchHostDetail(detail, summary("b", "offline"))).toBe(detail);
  });

  it("patches the topology in place, or asks for a refetch when the host is new", () => {
    const cached = topology(host("a", "online", inventory()));
    const patched = patchTopology(cached, summary("a", "offline"));
    expect(patched?.hosts[0]?.status).toBe("offline");
    expect(patched?.hosts[0]?.inventory).not.toBeNull();
    expect(patchTopology(cached, summary("new", "pending"))).toBeUndefined();
  });
});
