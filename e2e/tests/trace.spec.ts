/**
 * The source document's VLAN scenario on the map: two lab hosts (namespaces with a private OVS each on
 * the userspace datapath, eth1 a trunk into a switch namespace) with real agents; con1 and con2 on host1,
 * con3 and con4 on host2, VLAN 100 (con1, con3) and 200 (con2, con4) in one subnet, attached through the
 * API. On the map: con1 -> con3 has an L2 path and its Test passes (both agents ping, replies both
 * ways); con1 -> con4 has none (different VLAN) and its Test gets no reply.
 */
import { expect, test } from "@playwright/test";
import { type Attachment, attachmentSchema, createdHostSchema } from "@switchyard/protocol";
import { createLab, type Lab } from "../../packages/lab/src/index";
import { signIn } from "../support/auth";
import { e2e } from "../support/env";
import { find, picture } from "../support/map";

const SUBNET = "10.213.0.0/24";

test.describe("trace and test on the map (VLAN scenario, real agents and OVS)", () => {
  let lab: Lab | undefined;
  test.afterAll(async () => {
    // Agents by their PIDs, then OVS daemons and namespaces; also after a failure.
    await lab?.down();
  });

  test("con1 -> con3: path shown and the test pings both ways; con1 -> con4: no path (different VLAN)", async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await signIn(page);
    lab = await createLab({ hosts: 2, prefix: `${e2e.prefix}t` });
    const post = async (path: string, data: unknown) => {
      const res = await page.request.post(path, { data });
      expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
      return (await res.json()) as unknown;
    };

    for (const h of ["h1", "h2"]) {
      const created = createdHostSchema.parse(await post("/api/v1/hosts", { name: lab.controlPlaneName(h) }));
      // Named namespaces are visible from every lab host: each agent reports only its own containers.
      await lab.startAgent(h, e2e.baseURL, created.enrollment.token, {
        extraArgs: ["--poll-interval", "2s", "--netns-prefix", `${lab.prefix}-c-${h}-`],
      });
    }
    for (const h of ["h1", "h2"]) {
      const ready = async () => {
        const res = await page.request.get(`/api/v1/hosts/${lab?.controlPlaneName(h)}`);
        const host = (await res.json()) as { status?: string; inventoryReceivedAt?: string | null };
        return host.status === "online" && Boolean(host.inventoryReceivedAt);
      };
      await expect.poll(ready, { timeout: 60_000 }).toBe(true);
    }
    for (const vlan of [100, 200]) {
      await post("/api/v1/networks", {
        name: `${e2e.prefix}-vlan${vlan}`,
        driver: "ovs",
        subnet: SUBNET,
        vlan,
        bridgeName: "ovs0",
        uplink: "eth1",
      });
    }

    // con1..con4, attached through the API; each operation must end applied.
    const placement = [
      ["con1", "h1", 100],
      ["con2", "h1", 200],
      ["con3", "h2", 100],
      ["con4", "h2", 200],
    ] as const;
    const names: Record<string, string> = {};
    const attachments: Attachment[] = [];
    for (const [name, h, vlan] of placement) {
      const c = await lab.addNetnsContainer(h, `${h}-${name}`);
      names[name] = c.ref;
      const out = (await post("/api/v1/attachments", {
        host: lab.controlPlaneName(h),
        network: `${e2e.prefix}-vlan${vlan}`,
        container: `netns:${c.ref}`,
        ifname: "eth0",
        reason: "e2e: trace",
      })) as { attachment: unknown };
      attachments.push(attachmentSchema.parse(out.attachment));
    }
    for (const a of attachments) {
      const status = async () =>
        attachmentSchema.parse(await (await page.request.get(`/api/v1/attachments/${a.id}`)).json()).status;
      await expect.poll(status, { timeout: 30_000 }).toBe("applied");
    }
    // The inventories show every container with its address (the map traces from them).
    for (const [name] of placement) {
      const found = async () => {
        const res = await page.request.get(
          `/api/v1/topology/search?q=${encodeURIComponent(names[name] ?? "")}`,
        );
        const body = (await res.json()) as { matches: { kind: string }[] };
        return body.matches.some((m) => m.kind === "container");
      };
      await expect.poll(found, { timeout: 20_000 }).toBe(true);
    }

    await page.goto("/");
    await expect(page.getByTestId("topology-graph")).toHaveAttribute("data-drawn-at", /\d+/, {
      timeout: 30_000,
    });

    // con1 -> con3: an L2 path over both trunks; Test: both agents get replies.
    await find(page, names.con1 ?? "");
    await page.getByTestId("trace-from").click();
    await find(page, names.con3 ?? "");
    await expect(page.getByTestId("trace-result")).toHaveAttribute("data-ok", "true");
    await expect(page.getByTestId("trace-result")).toContainText("access vlan 100");
    await expect(page.getByTestId("trace-result")).toContainText("L2 segment (VLAN 100)");
    await page.getByTestId("trace-test").click();
    const results = page.getByTestId("trace-test-result");
    await expect(results).toHaveCount(2, { timeout: 30_000 });
    await expect(results.nth(0)).toHaveAttribute("data-ok", "true");
    await expect(results.nth(1)).toHaveAttribute("data-ok", "true");
    await expect(results.nth(0)).toContainText(`${names.con1} → ${names.con3}`);
    await expect(results.nth(1)).toContainText(`${names.con3} → ${names.con1}`);
    await expect(results.nth(0)).toContainText(/[1-3]\/3 replies, rtt/);
    // For the picture: both hosts (the search centred con3; drag the canvas), both directions' lines.
    await page.mouse.move(400, 300);
    await page.mouse.down();
    await page.mouse.move(250, 530, { steps: 8 });
    await page.mouse.up();
    await results.nth(1).scrollIntoViewIfNeeded();
    await picture(page, "map-trace-test");

    // con1 -> con4: no path (VLAN 100 vs 200); its Test gets no reply either way.
    await find(page, names.con4 ?? "");
    await expect(page.getByTestId("trace-result")).toHaveAttribute("data-ok", "false");
    await expect(page.getByTestId("trace-reason")).toContainText("different VLAN");
    await expect(page.getByTestId("trace-test-result")).toHaveCount(0);
    await page.getByTestId("trace-test").click();
    await expect(results).toHaveCount(2, { timeout: 30_000 });
    await expect(results.nth(0)).toHaveAttribute("data-ok", "false");
    await expect(results.nth(1)).toHaveAttribute("data-ok", "false");
    await expect(results.nth(0)).toContainText("0/3 replies");
    await page.getByTestId("trace-clear").click();
  });
});
