/**
 * Nothing lost, nothing doubled: a batch of attachments to one host (OVS, VLAN 300) through the REST API;
 * while the first ones are being applied, the host's agent is killed with SIGKILL (by its PID), more
 * attachments are requested while it is down, then it is restarted (enrolled: no token). Every requested
 * attachment ends applied exactly once: one OVS port and one veth per attachment, one interface per
 * container holding exactly its (distinct) address, and the containers reach each other.
 */
import type { LabContainerState } from "@switchyard/lab";
import { hostIfname, OVS_ATTACHMENT_KEY } from "@switchyard/netops";
import * as testkit from "@switchyard/netops/testkit";
import type { Attachment, AttachmentOperation } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Scenario, startScenario } from "../support/lab-plane";
import { containerLinks, ovsPorts, pings, switchyardLinks } from "../support/net-checks";

const COUNT = 10;
const BEFORE_KILL = 6;

let s: Scenario;
const containers: LabContainerState[] = [];
const requested: AttachmentOperation[] = [];

beforeAll(async () => {
  s = await startScenario({ hosts: 1, prefixBase: "yk" });
  for (let i = 0; i < COUNT; i++) containers.push(await s.lab.addNetnsContainer("h1", `k${i}`));
  await s.api.createNetwork({
    name: "batch",
    driver: "ovs",
    subnet: "10.40.0.0/24",
    vlan: 300,
    bridgeName: "ovs0",
    uplink: "eth1",
  });
});

afterAll(async () => {
  await s?.close();
});

const request = (i: number) =>
  s.api.attach({
    host: s.hostName("h1"),
    container: `netns:${containers[i]?.ref}`,
    network: "batch",
    ifname: "eth0",
  });

async function statuses(): Promise<string[]> {
  return Promise.all(requested.map(async (r) => (await s.api.operation(r.operation.id)).status));
}

describe("agent killed during a batch of attaches, then restarted", () => {
  let unfinishedAtKill = 0;

  it("requests a batch, kills the agent (SIGKILL by PID) while it applies, requests more while it is down", async () => {
    const pid = s.lab.host("h1").agentPid as number;
    expect(pid).toBeGreaterThan(0);
    const first = Array.from({ length: BEFORE_KILL }, (_, i) => request(i));
    // Kill as soon as the agent has applied something of the batch (usually mid-way through it).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const settled = await Promise.all(first);
      if (requested.length === 0) requested.push(...settled);
      const now = await statuses();
      const applied = now.filter((x) => x === "applied").length;
      if (applied >= 1 || Date.now() > deadline) {
        unfinishedAtKill = now.length - applied;
        break;
      }
      await testkit.sleep(20);
    }
    await s.lab.stopAgent("h1", "SIGKILL");
    expect(await testkit.isAlive(pid)).toBe(false);
    for (let i = BEFORE_KILL; i < COUNT; i++) requested.push(await request(i));
    // The agent is gone: nothing new can be applied.
    expect((await statuses()).slice(BEFORE_KILL).every((x) => x === "pending" || x === "sent")).toBe(true);
    console.info(`agent killed with ${unfinishedAtKill} of ${BEFORE_KILL} attachments not yet applied`);
  });

  it("after a restart every requested attachment is applied", async () => {
    const pid = await s.restartAgent("h1");
    expect(pid).toBeGreaterThan(0);
    const done = await Promise.all(requested.map((r) => s.api.waitOperation(r.operation.id, 60_000)));
    expect(
      done.map((o) => o.status),
      await s.agentLog("h1", 20),
    ).toEqual(Array(COUNT).fill("applied"));
    const attachments = await s.api.attachments({ network: "batch" });
    expect(attachments).toHaveLength(COUNT);
    expect(attachments.every((a) => a.status === "applied")).toBe(true);
  });

  it("nothing twice: one OVS port and one veth per attachment, one interface per container, distinct addresses", async () => {
    const attachments: Attachment[] = await Promise.all(
      requested.map((r) => s.api.attachment(r.attachment.id)),
    );
    const ids = attachments.map((a) => a.id);
    const ports = await ovsPorts(s.lab, "h1");
    const tagged = ports.filter((p) => p.externalIds[OVS_ATTACHMENT_KEY]);
    expect(tagged.map((p) => p.externalIds[OVS_ATTACHMENT_KEY]).sort()).toEqual([...ids].sort());
    expect(tagged.every((p) => p.tag === 300)).toBe(true);
    const links = (await switchyardLinks(s.lab, "h1")).map((l) => l.name).sort();
    expect(links).toEqual(ids.map(hostIfname).sort());

    const addresses = attachments.map((a) => a.address);
    expect(new Set(addresses).size).toBe(COUNT);
    for (const [i, a] of attachments.entries()) {
      const inside = await containerLinks(s.lab, containers[i] as LabContainerState);
      expect(inside.map((l) => l.name)).toEqual(["eth0"]);
      expect(inside[0]?.addresses.filter((x) => x.family === "inet").map((x) => x.address)).toEqual([
        a.address,
      ]);
    }
    const first = containers[0] as LabContainerState;
    expect(await pings(s.lab, first, attachments[COUNT - 1]?.address as string)).toBe(true);
    expect(await pings(s.lab, first, attachments[BEFORE_KILL - 1]?.address as string)).toBe(true);
  });
});
