import { expect, test } from "@playwright/test";
import { signIn } from "../support/auth";
import { e2e } from "../support/env";

// Issue 11 item 6: a pool's page shows usage over time, when it runs out at its recent rate and the
// hosts without a free block before they fail; the periodic check raises the alert (banner, badge).
test("a pool page shows usage over time, the forecast, hosts without a free block and the alert", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page);
  const name = `e2e-fc-${e2e.prefix}`.slice(0, 40);
  // A /26 in blocks of 16: 4 blocks, 62 usable (the first and last blocks lose the network and broadcast).
  const pool = await page.request.post("/api/v1/pools", {
    data: { name, cidr: "10.123.60.0/26", blockSize: 16 },
  });
  expect(pool.status()).toBe(201);
  const { id } = (await pool.json()) as { id: string };
  const hostIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const host = await page.request.post("/api/v1/hosts", { data: { name: `${name}-h${i}`.slice(0, 60) } });
    expect(host.status()).toBe(201);
    hostIds.push(((await host.json()) as { host: { id: string } }).host.id);
  }
  const allocate = async (hostId: string) =>
    expect((await page.request.post(`/api/v1/pools/${id}/allocations`, { data: { hostId } })).status()).toBe(
      201,
    );
  // Host 0 fills the first block (15 usable); hosts 1-3 claim the other three: no free block is left.
  for (let n = 0; n < 15; n++) await allocate(hostIds[0] ?? "");
  for (const hostId of hostIds.slice(1)) await allocate(hostId);

  await page.goto(`/pools/${id}`);
  const forecast = page.getByTestId("pool-forecast");
  await expect(forecast).toBeVisible();
  expect(Number(await forecast.getAttribute("data-rate"))).toBeGreaterThan(0);
  expect(Number(await page.getByTestId("usage-chart").getAttribute("data-points"))).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("forecast-addresses")).toContainText("runs out of addresses on");
  await expect(page.getByTestId("forecast-blocks")).toContainText("All 4 blocks are claimed");
  await expect(page.getByTestId(`host-without-block-${name}-h0`.slice(0, 80))).toContainText(
    "next allocation fails",
  );

  // The check runs every LEAK_CHECK_INTERVAL (30 s): the alert appears on the page and the list.
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/pools/${id}/forecast`);
        return ((await res.json()) as { alert: { reason: string } | null }).alert?.reason ?? null;
      },
      { timeout: 75_000, intervals: [2_000] },
    )
    .toBe("hosts");
  await page.reload();
  await expect(page.getByTestId("pool-exhaustion-alert")).toHaveAttribute("data-reason", "hosts");
  await expect(page.getByTestId("pool-exhaustion-alert")).toContainText("allocations fail now");
  await page.goto("/pools");
  await expect(page.getByTestId(`pool-alert-${name}`)).toBeVisible();
});
