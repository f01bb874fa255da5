import { expect, test } from "@playwright/test";
import { openSignIn, signIn } from "../support/auth";
import { e2e } from "../support/env";

// Issue 13: an operator changes the network (networks, attaches, detaches, releases addresses) with the
// UI's buttons enabled, but manages no users: the Users page and its routes are refused.
test("an operator attaches, detaches and releases, and cannot manage users", async ({ page, browser }) => {
  await signIn(page);
  const email = `operator-${e2e.prefix}@example.com`.toLowerCase();
  const user = await page.request.post("/api/v1/users", {
    data: { email, role: "operator", password: "operator-password-1" },
  });
  expect(user.status()).toBe(201);
  const hostName = `e2e-op-${e2e.prefix}`.slice(0, 40);
  const host = await page.request.post("/api/v1/hosts", { data: { name: hostName } });
  expect(host.status()).toBe(201);
  const hostId = ((await host.json()) as { host: { id: string } }).host.id;

  const context = await browser.newContext();
  const operator = await context.newPage();
  await openSignIn(operator);
  await operator.getByLabel(/e-?mail/i).fill(email);
  await operator.getByLabel(/password/i).fill("operator-password-1");
  await operator.getByRole("button", { name: /sign in/i }).click();
  await expect(operator.getByTestId("current-user")).toHaveAttribute("data-role", "operator");
  await expect(operator.getByTestId("nav-users")).toHaveCount(0);

  await operator.goto("/networks");
  await expect(operator.getByTestId("new-network")).toBeEnabled();
  const network = `e2e-op-${e2e.prefix}`.slice(0, 30);
  const created = await operator.request.post("/api/v1/networks", {
    data: { name: network, driver: "bridge", subnet: "10.123.47.0/24" },
  });
  expect(created.status()).toBe(201);
  const { poolId } = (await created.json()) as { poolId: string };
  await operator.goto("/networks");
  await operator.getByRole("link", { name: network }).click();
  await expect(operator.getByTestId("attach-open")).toBeEnabled();

  // Attach (the host's agent is away: pending) and detach.
  const attached = await operator.request.post("/api/v1/attachments", {
    data: { host: hostName, network, container: "docker:e2e-operator" },
  });
  expect(attached.status()).toBe(201);
  const { attachment } = (await attached.json()) as { attachment: { id: string } };
  expect((await operator.request.delete(`/api/v1/attachments/${attachment.id}`)).status()).toBe(202);

  // Release an address on-call style: allocate one, then release it with a reason.
  const allocated = await operator.request.post(`/api/v1/pools/${poolId}/allocations`, { data: { hostId } });
  expect(allocated.status()).toBe(201);
  const { address } = (await allocated.json()) as { address: string };
  const released = await operator.request.delete(`/api/v1/pools/${poolId}/allocations/${address}?reason=e2e`);
  expect(released.status()).toBe(200);

  // No user management, on the server and in the UI.
  const refused = await operator.request.post("/api/v1/users", {
    data: { email: "someone@example.com", role: "viewer", password: "someone-password-1" },
  });
  expect(refused.status()).toBe(403);
  await operator.goto("/users");
  await expect(operator.getByText(/needs the admin role/)).toBeVisible();
  await context.close();
});
