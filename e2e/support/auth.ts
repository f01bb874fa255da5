import { expect, type Page } from "@playwright/test";
import { e2e } from "./env";

/** Opens /sign-in and waits until React owns the form (typing before hydration is lost). */
export async function openSignIn(page: Page, path = "/sign-in"): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId("sign-in-form")).toHaveAttribute("data-hydrated", "true");
}

export async function signIn(page: Page): Promise<void> {
  await openSignIn(page);
  await page.getByLabel(/e-?mail/i).fill(e2e.adminEmail);
  await page.getByLabel(/password/i).fill(e2e.adminPassword);
  await page.getByRole("button", { name: /sign in/i }).click();
  await expect(page.getByTestId("current-user")).toBeVisible();
}
