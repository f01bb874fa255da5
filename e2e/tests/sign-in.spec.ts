import { expect, test } from "@playwright/test";
import { openSignIn, signIn } from "../support/auth";
import { e2e } from "../support/env";

test("a wrong password is refused with the server's message; the right one signs in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await openSignIn(page, page.url());
  await page.getByLabel(/e-?mail/i).fill(e2e.adminEmail);
  await page.getByLabel(/password/i).fill("not-the-password");
  await page.getByRole("button", { name: /sign in/i }).click();
  await expect(page.getByTestId("sign-in-error")).toBeVisible();
  await expect(page.getByTestId("current-user")).toHaveCount(0);

  await signIn(page);
  await expect(page.getByTestId("current-user")).toContainText(e2e.adminEmail);
});
