import { expect, type Page } from "@playwright/test";
import { e2e } from "./env";

export async function signIn(page: Page): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel(/e-?mail/i).fill(e2e.adminEmail);
  await page.getByLabel(/password/i).fill(e2e.adminPassword);
  await page.getByRole("button", { name: /sign in/i }).click();
  await expect(page.getByTestId("current-user")).toBeVisible();
}
