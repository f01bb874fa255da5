import { expect, test } from "@playwright/test";
import { openSignIn, signIn } from "../support/auth";
import { e2e } from "../support/env";

// Issue 13: a viewer created by an admin through the UI signs in with its one-time password, must
// choose its own, then sees everything with every mutation disabled and no user management.
test("an admin creates a viewer in the UI; the viewer changes its password and can change nothing", async ({
  page,
  browser,
}) => {
  await signIn(page);
  const network = `e2e-view-${e2e.prefix}`.slice(0, 30);
  const created = await page.request.post("/api/v1/networks", {
    data: { name: network, driver: "bridge", subnet: "10.123.45.0/24" },
  });
  expect(created.status()).toBe(201);

  await page.getByTestId("nav-users").click();
  await expect(page.getByTestId("users-table")).toBeVisible();
  const form = page.getByTestId("create-user-form");
  await form.getByLabel(/e-mail/i).fill("viewer@example.com");
  await form.getByLabel(/role/i).selectOption("viewer");
  await form.getByRole("button", { name: /add user/i }).click();
  const otp = (await page.getByTestId("issued-secret-value").textContent())?.trim() ?? "";
  expect(otp).toMatch(/^[\w-]{20}$/);
  await expect(page.getByTestId("user-row-viewer@example.com")).toHaveAttribute(
    "data-state",
    "must change password",
  );

  const context = await browser.newContext();
  const viewer = await context.newPage();
  await openSignIn(viewer);
  await viewer.getByLabel(/e-?mail/i).fill("viewer@example.com");
  await viewer.getByLabel(/password/i).fill(otp);
  await viewer.getByRole("button", { name: /sign in/i }).click();
  const change = viewer.getByTestId("change-password-form");
  await expect(change).toBeVisible();
  await change.getByLabel("Current password").fill(otp);
  await change.getByLabel(/^New password \(/).fill("viewer-own-password-1");
  await change.getByLabel("New password again").fill("viewer-own-password-1");
  await change.getByRole("button", { name: /change password/i }).click();

  await expect(viewer.getByTestId("current-user")).toHaveAttribute("data-role", "viewer");
  await expect(viewer.getByTestId("nav-users")).toHaveCount(0);
  await viewer.goto("/hosts");
  await expect(viewer.getByTestId("add-host-submit")).toBeDisabled();
  await viewer.goto("/networks");
  await expect(viewer.getByTestId("new-network")).toBeDisabled();
  await viewer.goto("/networks");
  await viewer.getByRole("link", { name: network }).click();
  await expect(viewer.getByTestId("network-detail")).toBeVisible();
  await expect(viewer.getByTestId("attach-open")).toBeDisabled();
  await expect(viewer.getByTestId(`delete-network-${network}`)).toBeDisabled();
  // The server says no as well, and the admin's pages are refused.
  const refused = await viewer.request.post("/api/v1/networks", {
    data: { name: "nope", driver: "bridge", subnet: "10.123.46.0/24" },
  });
  expect(refused.status()).toBe(403);
  await viewer.goto("/users");
  await expect(viewer.getByText(/needs the admin role/)).toBeVisible();

  // The audit view lists the admin's creation of the viewer.
  await viewer.goto("/audit?kind=user.create");
  await expect(viewer.getByTestId("audit-table")).toContainText("viewer@example.com");
  await context.close();
});
