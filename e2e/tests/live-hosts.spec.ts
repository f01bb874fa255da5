import { expect, test } from "@playwright/test";
import { signIn } from "../support/auth";
import { e2e } from "../support/env";
import { LabHost } from "../support/lab-host";

test.describe("live topology", () => {
  let host: LabHost | undefined;
  test.afterEach(async () => {
    await host?.remove();
    host = undefined;
  });

  test("a host enrolls and appears live, its container appears, it goes offline when its agent dies and returns without a new token", async ({
    page,
  }) => {
    await signIn(page);
    const name = `${e2e.prefix}-edge1`;

    // Enroll through the UI: the one-time token is shown once.
    await page.goto("/hosts");
    await page.getByTestId("add-host-form").getByLabel(/name/i).first().fill(name);
    await page.getByTestId("add-host-form").getByRole("button").click();
    const token = (await page.getByTestId("enrollment-token").textContent())?.trim();
    expect(token).toMatch(/^sye_/);

    // The topology page is opened before the agent starts and never reloaded: all updates are live.
    await page.goto("/");
    const hostNode = page.getByTestId(`host-${name}`);
    await expect(hostNode).toHaveAttribute("data-status", "pending");

    host = new LabHost(1);
    host.startAgent(token);
    await expect(hostNode).toHaveAttribute("data-status", "online", { timeout: 15_000 });

    const container = `${e2e.prefix}con1`;
    host.addNetnsContainer(container, "10.77.0.5/24");
    // The agent polls only every 30 s here: the container shows within 2 s through its link monitor.
    await expect(page.getByTestId(`container-${container}`)).toBeVisible({ timeout: 2_000 });

    await host.stopAgent("SIGKILL");
    await expect(hostNode).toHaveAttribute("data-status", "offline", { timeout: 10_000 });

    host.startAgent(); // the saved credential, no token
    await expect(hostNode).toHaveAttribute("data-status", "online", { timeout: 15_000 });
  });
});
