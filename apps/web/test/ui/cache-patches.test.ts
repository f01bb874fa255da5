import type { HostSummary } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { patchHostDetail, patchHostList } from "../../src/ui/queries/cache-patches";
import { host, inventory } from "./topology-fixtures";

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
});
