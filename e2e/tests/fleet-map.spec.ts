import { expect, type Page, type Request, test } from "@playwright/test";
import {
  deleteFleet,
  fleetContainerAddress,
  fleetContainerName,
  fleetHostName,
  seedFleet,
} from "../../packages/db/src/fleet-seed";
import { signIn } from "../support/auth";
import { e2e } from "../support/env";
import { LabHost } from "../support/lab-host";
import { find, picture } from "../support/map";

const HOSTS = 1000;
const graph = (page: Page) => page.getByTestId("topology-graph");
/** The REST calls the page makes (path and query), from the moment it is called. */
function recordApiCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on("request", (request: Request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/api/v1/")) calls.push(`${url.pathname}${url.search}`);
  });
  return calls;
}

test.describe("the map at fleet scale", () => {
  const prefix = `${e2e.prefix}f`;
  let host: LabHost | undefined;
  test.afterAll(async () => {
    await host?.remove();
    // The specs after this one expect a small fleet again.
    await deleteFleet(e2e.databaseUrl, prefix);
  });

  test("1,000 seeded hosts draw as an overview, a host expands on click and collapses, search lands on a container, a live change patches one host's row", async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await signIn(page);
    await seedFleet(e2e.databaseUrl, { hosts: HOSTS, containersPerHost: 10, prefix });
    const answer = await page.request.get("/api/v1/topology/fleet");
    expect(answer.status(), await answer.text()).toBe(200);
    const total = ((await answer.json()) as { hosts: unknown[] }).hosts.length;
    expect(total).toBeGreaterThanOrEqual(HOSTS);

    const calls = recordApiCalls(page);
    const started = Date.now();
    await page.goto("/");
    await expect(graph(page)).toHaveAttribute("data-host-count", String(total), { timeout: 60_000 });
    await expect(graph(page)).toHaveAttribute("data-drawn-at", /\d+/);
    console.log(`fleet-map: ${total} hosts drawn ${Date.now() - started} ms after navigation`);
    // The overview: one node per host plus group captions, no host's inside.
    expect(Number(await graph(page).getAttribute("data-node-count"))).toBeLessThan(total + 50);
    await expect(graph(page)).toHaveAttribute("data-expanded-count", "0");
    expect(calls.filter((c) => c === "/api/v1/topology")).toEqual([]);
    await expect(page.getByTestId("fleet-count")).toHaveAttribute("data-total", String(total));
    await picture(page, "map-overview");

    // Click a host in the list: it expands into its bridges and containers, on the canvas and in the list.
    const first = fleetHostName(prefix, 0);
    await page.getByTestId(`host-${first}`).getByRole("button").click();
    await expect(graph(page)).toHaveAttribute("data-expanded-count", "1");
    await expect(page.getByTestId(`container-${fleetContainerName(prefix, 0, 3)}`)).toBeVisible();
    await expect(page.getByTestId(`bridge-${first}-ovs0`)).toBeVisible();
    await picture(page, "map-drill-down");
    const expandedNodes = Number(await graph(page).getAttribute("data-node-count"));
    expect(expandedNodes).toBeGreaterThan(total + 10);
    await page.getByTestId("collapse-host").click();
    await expect(graph(page)).toHaveAttribute("data-expanded-count", "0");
    await expect(page.getByTestId(`container-${fleetContainerName(prefix, 0, 3)}`)).toHaveCount(0);

    // Semantic zoom: wheeling in over the canvas opens the host nearest its centre, wheeling out closes it.
    const box = await graph(page).boundingBox();
    if (!box) throw new Error("no graph frame");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(async () => {
      for (let notch = 0; notch < 3; notch++) await page.mouse.wheel(0, -120);
      await expect(graph(page)).toHaveAttribute("data-zoom-host", /.+/, { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(graph(page)).toHaveAttribute("data-expanded-count", "1");
    expect(Number(await graph(page).getAttribute("data-zoom"))).toBeGreaterThanOrEqual(1.6);
    await expect(async () => {
      for (let notch = 0; notch < 3; notch++) await page.mouse.wheel(0, 120);
      await expect(graph(page)).toHaveAttribute("data-expanded-count", "0", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(graph(page)).toHaveAttribute("data-zoom-host", "");
    expect(Number(await graph(page).getAttribute("data-zoom"))).toBeLessThan(1.2);

    // Find a container on host 617 by its address: it opens, is selected and its row shows.
    const address = fleetContainerAddress(617, 4);
    await page.getByTestId("map-search").fill(address);
    await expect(page.getByTestId("map-search-result").first()).toHaveAttribute("data-kind", "address");
    await page.getByTestId("map-search").press("Enter");
    await expect(page.getByTestId("node-details")).toContainText(fleetContainerName(prefix, 617, 4));
    await expect(page.getByTestId(`container-${fleetContainerName(prefix, 617, 4)}`)).toBeVisible();

    // Trace: n0000c00 (VLAN 100) to n0011c09 (VLAN 100 too) crosses both trunks; to n0000c01 (VLAN 101) there is none.
    await find(page, fleetContainerName(prefix, 0, 0));
    await page.getByTestId("trace-from").click();
    await find(page, fleetContainerName(prefix, 11, 9));
    await expect(page.getByTestId("trace-result")).toHaveAttribute("data-ok", "true");
    await expect(page.getByTestId("trace-hop")).toHaveCount(9);
    await expect(page.getByTestId("trace-result")).toContainText("trunk eth1 (all VLANs)");
    await picture(page, "map-trace");
    await find(page, fleetContainerName(prefix, 0, 1));
    await expect(page.getByTestId("trace-result")).toHaveAttribute("data-ok", "false");
    await expect(page.getByTestId("trace-reason")).toContainText("different VLAN");
    await page.getByTestId("trace-clear").click();

    // Filter by VLAN through the URL: only hosts with an access port on VLAN 105 stay.
    await page.getByTestId("filter-vlan").selectOption("105");
    await expect(page).toHaveURL(/vlan=105/);
    const shown = Number(await page.getByTestId("fleet-count").getAttribute("data-shown"));
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(total);
    await page.getByTestId("filter-clear").click();
    await expect(page.getByTestId("fleet-count")).toHaveAttribute("data-shown", String(total));

    // A real agent on a new host; then a container appears on it: only that host's row is fetched.
    const created = (await (
      await page.request.post("/api/v1/hosts", { data: { name: `${e2e.prefix}a-live` } })
    ).json()) as { host: { id: string; name: string }; enrollment: { token: string } };
    host = new LabHost(7);
    host.startAgent(created.enrollment.token);
    // Its row sorts first; the list (virtualized) is still scrolled to the container found above.
    await page.locator(".summary-scroll").evaluate((el) => {
      el.scrollTop = 0;
    });
    const row = page.getByTestId(`host-${created.host.name}`);
    await expect(row).toHaveAttribute("data-status", "online", { timeout: 40_000 });
    await expect(graph(page)).toHaveAttribute("data-host-count", String(total + 1));
    await page.waitForTimeout(1_500); // let the enrollment's own events settle
    calls.length = 0;
    host.addNetnsContainer(`${e2e.prefix}fcon`, "10.77.1.5/24");
    await expect(row).toContainText("1 ctr", { timeout: 5_000 });
    await page.waitForTimeout(500);
    const fleetCalls = calls.filter((c) => c.startsWith("/api/v1/topology"));
    expect(fleetCalls.length).toBeGreaterThan(0);
    for (const call of fleetCalls) expect(call).toContain(`hosts=${created.host.id}`);
    // The change was one host's node: no element added or removed, one updated, nothing moved.
    await expect(graph(page)).toHaveAttribute("data-last-diff", "0/0/1/0");
  });
});
