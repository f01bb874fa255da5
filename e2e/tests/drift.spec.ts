/**
 * Drift on the map (issue 11, item 4): a lab host whose agent runs with `--drift-repair report`, so the
 * drift a person makes stays until someone asks for the repair (with `auto` the agent repairs a deleted
 * veth within about a second, before any screen could show it). A container attached to a bridge
 * network; its veth deleted by hand: the map marks the container and the host's panel lists a
 * `missing_veth` item; "Repair now" has the agent recreate it, and the repair event appears next to
 * the (now empty) drift list.
 */
import { execFileSync } from "node:child_process";
import { expect, type Page, test } from "@playwright/test";
import { type Attachment, attachmentSchema, createdHostSchema, hostDriftSchema } from "@switchyard/protocol";
import { createLab, type Lab } from "../../packages/lab/src/index";
import { signIn } from "../support/auth";
import { e2e } from "../support/env";
import { LabHost } from "../support/lab-host";
import { picture } from "../support/map";

const SUBNET = "10.89.0.0/24";

/** The interface names inside a named namespace (`ip -j link`). */
const linksIn = (netns: string): string[] =>
  (
    JSON.parse(execFileSync("ip", ["-n", netns, "-j", "link"], { encoding: "utf8", timeout: 10_000 })) as {
      ifname: string;
    }[]
  ).map((l) => l.ifname);

/** POSTs as the signed-in page; any answer but a 2xx fails the test. */
async function post(page: Page, path: string, data: unknown): Promise<unknown> {
  const res = await page.request.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as unknown;
}

/** Whether the host is online and its control plane has an inventory from it. */
async function ready(page: Page, hostId: string): Promise<boolean> {
  const detail = (await (await page.request.get(`/api/v1/hosts/${hostId}`)).json()) as {
    status?: string;
    inventoryReceivedAt?: string | null;
  };
  return detail.status === "online" && Boolean(detail.inventoryReceivedAt);
}

const driftOf = async (page: Page, hostId: string) =>
  hostDriftSchema.parse(await (await page.request.get(`/api/v1/hosts/${hostId}/drift`)).json());

/** Attaches through the API and waits until the agent applied it; answers the applied attachment. */
async function attachApplied(
  page: Page,
  body: Record<string, unknown>,
  timeout: number,
): Promise<Attachment> {
  const out = (await post(page, "/api/v1/attachments", body)) as { attachment: unknown };
  const attachmentId = attachmentSchema.parse(out.attachment).id;
  const attachment = async () =>
    attachmentSchema.parse(await (await page.request.get(`/api/v1/attachments/${attachmentId}`)).json());
  await expect.poll(async () => (await attachment()).status, { timeout }).toBe("applied");
  return attachment();
}

/** Opens the map and, found by search, the host (the map centres on it and its panel opens). */
async function openHost(page: Page, hostName: string) {
  await page.goto("/");
  const graph = page.getByTestId("topology-graph");
  await expect(graph).toHaveAttribute("data-drawn-at", /\d+/, { timeout: 30_000 });
  await page.getByTestId("map-search").fill(hostName);
  await page.getByTestId("map-search-result").filter({ hasText: hostName }).first().click();
  return { graph, panel: page.getByTestId("host-drift") };
}

test.describe("drift on the map", () => {
  let host: LabHost | undefined;
  test.afterEach(async () => {
    // The agent by its PID, then the host's and the container's namespaces; also after a failure.
    await host?.remove();
    host = undefined;
  });

  test("a veth deleted by hand is drift on the map and in the host's panel; Repair now repairs it and the repair event appears next to it", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await signIn(page);
    // Per run and per repetition (`--repeat-each`): names the control plane keeps must not repeat.
    const run = `${e2e.prefix}d${test.info().repeatEachIndex}`;
    const hostName = `${run}-host`;
    const created = createdHostSchema.parse(await post(page, "/api/v1/hosts", { name: hostName }));
    const hostId = created.host.id;
    host = new LabHost(5);
    const containerName = `${run}-app`;
    host.addEmptyNetnsContainer(containerName);
    host.startAgent(created.enrollment.token, ["--drift-repair", "report", "--netns-prefix", `${run}-`]);
    const drift = () => driftOf(page, hostId);
    await expect.poll(() => ready(page, hostId), { timeout: 20_000 }).toBe(true);

    const network = `${run}-net`;
    await post(page, "/api/v1/networks", {
      name: network,
      driver: "bridge",
      subnet: SUBNET,
      bridgeName: `${run}br`,
    });
    const { hostIfname, address } = await attachApplied(
      page,
      { host: hostName, network, container: `netns:${containerName}`, reason: "e2e: drift" },
      20_000,
    );
    expect(hostIfname).toMatch(/^sy[0-9a-f]{8}h$/);
    const veth = hostIfname ?? "";
    // Once the inventory shows the new veth, nothing differs.
    await expect.poll(async () => (await drift()).items, { timeout: 15_000 }).toEqual([]);

    const { graph, panel } = await openHost(page, hostName);
    await expect(panel).toHaveAttribute("data-drift", "0");
    await expect(graph).toHaveAttribute("data-drift-ids", "");

    // By hand, as someone on the host would: the host end goes, and its container side with it.
    host.deleteLink(veth);
    const containerNode = `host/${hostId}/container/${containerName}`;
    await expect(panel).toHaveAttribute("data-drift", "1", { timeout: 15_000 });
    const items = panel.getByTestId("drift-item");
    await expect(items).toHaveCount(1);
    await expect(items.first()).toHaveAttribute("data-kind", "missing_veth");
    await expect(items.first()).toContainText(`${veth} <-> eth1 in netns:${containerName}`);
    await expect(graph).toHaveAttribute("data-drift-ids", new RegExp(containerNode.replaceAll("/", "\\/")));
    await expect(page.getByTestId("repair-now")).toBeEnabled();
    await picture(page, "map-drift");
    // Report mode: the agent heard the link go (its monitor) and left it; the container has no eth1.
    expect(linksIn(containerName)).not.toContain("eth1");
    expect((await drift()).items.map((i) => [i.kind, i.port])).toEqual([["missing_veth", veth]]);

    await page.getByTestId("repair-now").click();
    await expect(page.getByTestId("repair-message")).toContainText("verifying");
    const repaired = panel.getByTestId("reconcile-event").filter({ hasText: veth });
    await expect(repaired.first()).toHaveAttribute("data-kind", "repaired", { timeout: 20_000 });
    await expect(panel).toHaveAttribute("data-drift", "0", { timeout: 15_000 });
    await expect(items).toHaveCount(0);
    await expect(graph).toHaveAttribute("data-drift-ids", "");
    // The agent did the real work: the container has its address again.
    expect(host.containerAddresses(containerName, "eth1").map((a) => a.split("/")[0])).toContain(
      address.split("/")[0],
    );
  });

  let lab: Lab | undefined;
  test.afterEach(async () => {
    // Agents by their PIDs, then OVS daemons and namespaces; also after a failure.
    await lab?.down();
    lab = undefined;
  });

  test("OVS: a wrong tag and the VLAN taken off the trunk are drift of their kinds; Repair now puts both back", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await signIn(page);
    lab = await createLab({ hosts: 1, prefix: `${e2e.prefix}o${test.info().repeatEachIndex}` });
    const hostName = lab.controlPlaneName("h1");
    const created = createdHostSchema.parse(await post(page, "/api/v1/hosts", { name: hostName }));
    const hostId = created.host.id;
    await lab.startAgent("h1", e2e.baseURL, created.enrollment.token, {
      extraArgs: ["--drift-repair", "report", "--netns-prefix", `${lab.prefix}-c-h1-`],
    });
    await expect.poll(() => ready(page, hostId), { timeout: 60_000 }).toBe(true);
    const network = `${lab.prefix}-v100`;
    await post(page, "/api/v1/networks", {
      name: network,
      driver: "ovs",
      subnet: `10.215.${test.info().repeatEachIndex}.0/24`,
      vlan: 100,
      bridgeName: "ovs0",
      uplink: "eth1",
    });
    const c = await lab.addNetnsContainer("h1", "h1-app");
    const attached = await attachApplied(
      page,
      { host: hostName, network, container: `netns:${c.ref}`, ifname: "eth0", reason: "e2e: OVS drift" },
      30_000,
    );
    const port = attached.hostIfname ?? "";
    await expect.poll(async () => (await driftOf(page, hostId)).items, { timeout: 20_000 }).toEqual([]);

    const { graph, panel } = await openHost(page, hostName);
    await expect(panel).toHaveAttribute("data-drift", "0");

    // By hand on the host's OVS: the container's access port on VLAN 200, the trunk without VLAN 100.
    const db = lab.host("h1").ovs?.db ?? "";
    const vsctl = (...args: string[]) => lab?.hostExec("h1")(["ovs-vsctl", `--db=${db}`, ...args]);
    await vsctl("set", "port", port, "tag=200");
    await vsctl("set", "port", "eth1", "trunks=200");
    await expect(panel).toHaveAttribute("data-drift", "2", { timeout: 15_000 });
    const items = panel.getByTestId("drift-item");
    await expect(items.nth(0)).toHaveAttribute("data-kind", "wrong_tag");
    await expect(items.nth(0)).toContainText(`${port} on ovs0 has tag 200, network ${network} wants tag 100`);
    await expect(items.nth(1)).toHaveAttribute("data-kind", "vlan_not_on_trunk");
    await expect(items.nth(1)).toContainText("uplink eth1 on ovs0 does not carry VLAN 100 (trunks 200)");
    await expect(graph).toHaveAttribute("data-drift-ids", new RegExp(`host/${hostId}/ovs/ovs0`));
    await expect(graph).toHaveAttribute("data-drift-ids", new RegExp(`host/${hostId}/container/${c.ref}`));

    await page.getByTestId("repair-now").click();
    await expect(panel).toHaveAttribute("data-drift", "0", { timeout: 20_000 });
    await expect(items).toHaveCount(0);
    const events = panel.getByTestId("reconcile-event");
    await expect(events.filter({ hasText: "trunks" }).first()).toHaveAttribute("data-kind", "repaired", {
      timeout: 20_000,
    });
    await expect(graph).toHaveAttribute("data-drift-ids", "");
  });
});
