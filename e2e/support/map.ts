/** Helpers of the map specs: the README's screenshots and the map's search. */
import { expect, type Page } from "@playwright/test";

/** With E2E_SCREENSHOT_DIR set, saves the page as `<dir>/<name>.png` (the pictures the README shows). */
export async function picture(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOT_DIR;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png` });
}

/** Searches and clicks the match for `text`; waits until its details are open. */
export async function find(page: Page, text: string): Promise<void> {
  await page.getByTestId("map-search").fill(text);
  await page.getByTestId("map-search-result").filter({ hasText: text }).first().click();
  await expect(page.getByTestId("node-details")).toContainText(text);
}
