import { describe, expect, it } from "vitest";
import { createCniBackend } from "../src/cni/backend";
import { EndpointWaiters } from "../src/cni/waiters";
import type { AgentChannel } from "../src/connection";

const request = {
  network: "v100",
  containerId: "c0ffee",
  netns: "cni-1234",
  ifname: "eth0",
  setDefaultRoute: false,
};

function channel(asked: string[]): AgentChannel {
  return {
    sendInventory: async () => true,
    sendHeartbeat: async () => true,
    sendDesiredStateResult: async () => true,
    ask: async (event) => {
      asked.push(event);
      return { ok: false, error: { code: "not_found", message: "no such network" } };
    },
  };
}

describe("the CNI backend's link to the control plane", () => {
  it("refuses at once, naming the versions, when the server predates the CNI events", async () => {
    const asked: string[] = [];
    const backend = createCniBackend({
      link: () => ({ channel: channel(asked), serverMinor: 0 }),
      waiters: new EndpointWaiters(),
      desiredEndpoints: () => [],
    });
    const ack = await backend.attach(request);
    expect(ack).toMatchObject({ ok: false, error: { code: "protocol_mismatch" } });
    expect(ack.ok ? "" : ack.error.message).toMatch(/minor 0.*minor 1/);
    expect(asked).toEqual([]);
  });

  it("asks a server that knows them, and says 'not connected' without a link", async () => {
    const asked: string[] = [];
    const current = createCniBackend({
      link: () => ({ channel: channel(asked), serverMinor: 1 }),
      waiters: new EndpointWaiters(),
      desiredEndpoints: () => [],
    });
    expect(await current.attach(request)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(asked).toEqual(["agent:cni-add"]);
    const away = createCniBackend({
      link: () => null,
      waiters: new EndpointWaiters(),
      desiredEndpoints: () => [],
    });
    expect(away.connected()).toBe(false);
    expect(await away.detach({ containerId: "c0ffee", ifname: "eth0" })).toMatchObject({
      ok: false,
      error: { code: "not_connected" },
    });
  });
});
