import { expect, test } from "@playwright/test";
import { createdHostSchema } from "@switchyard/protocol";
import { signIn } from "../support/auth";
import { e2e } from "../support/env";
import { LabHost } from "../support/lab-host";

test.describe("attach from the UI", () => {
  let host: LabHost | undefined;
  test.afterEach(async () => {
    await host?.remove();
    host = undefined;
  });

  test("an engineer creates a bridge network, attaches a container from the network page and watches the operation apply", async ({
    page,
  }) => {
    await signIn(page);
    const hostName = `${e2e.prefix}-edge2`;
    const created = createdHostSchema.parse(
      await (await page.request.post("/api/v1/hosts", { data: { name: hostName } })).json(),
    );
    host = new LabHost(2);
    host.startAgent(created.enrollment.token);
    const container = `${e2e.prefix}app1`;
    host.addEmptyNetnsContainer(container);

    // Create the network through the form.
    const network = `${e2e.prefix}-flat`;
    await page.goto("/networks");
    await page.getByTestId("new-network").click();
    await page.getByTestId("network-field-name").fill(network);
    await page.getByTestId("network-field-driver").selectOption("bridge");
    await page.getByTestId("network-field-subnet").fill("10.88.0.0/24");
    await page.getByTestId("network-field-gateway").fill("10.88.0.1");
    await page.getByTestId("network-field-bridgeName").fill("br-e2e");
    await page.getByTestId("create-network-submit").click();
    await expect(page.getByTestId(`network-row-${network}`)).toBeVisible();

    // A bad input is refused by name, and nothing is created.
    await page.getByTestId("new-network").click();
    await page.getByTestId("network-field-name").fill(`${network}-bad`);
    await page.getByTestId("network-field-driver").selectOption("bridge");
    await page.getByTestId("network-field-subnet").fill("10.88.0.0/33");
    await page.getByTestId("create-network-submit").click();
    await expect(page.getByTestId("network-field-error-subnet")).toBeVisible();
    await expect(page.getByTestId(`network-row-${network}-bad`)).toHaveCount(0);

    // Attach from the network's page; progress is live (socket -> cache), no reload.
    await page.getByTestId(`network-row-${network}`).getByRole("link").first().click();
    await expect(page.getByTestId("network-detail")).toBeVisible();
    const hostStatus = async () =>
      ((await (await page.request.get(`/api/v1/hosts/${hostName}`)).json()) as { status: string }).status;
    await expect.poll(hostStatus, { timeout: 15_000 }).toBe("online");
    await page.getByTestId("attach-open").click();
    await page.getByTestId("attach-field-host").selectOption({ label: `${hostName} (online)` });
    await page.getByTestId("attach-field-container").fill(`netns:${container}`);
    await page.getByTestId("attach-field-reason").fill("e2e: attach from the UI");
    await page.getByTestId("attach-submit").click();
    await expect(page.getByTestId("operation-progress")).toHaveAttribute("data-status", "applied", {
      timeout: 20_000,
    });
    await expect(page.getByTestId("toast").first()).toBeVisible();
    await expect(page.getByTestId(`attachment-row-${container}`)).toHaveAttribute("data-status", "applied");

    // The agent did the real work: the container has eth1 with the first free address of the pool.
    const address = await page.getByTestId(`attachment-row-${container}`).getAttribute("data-address");
    expect(address).toMatch(/^10\.88\.0\.\d+/);
    expect(host.containerAddresses(container, "eth1").map((a) => a.split("/")[0])).toContain(
      address?.split("/")[0],
    );

    // The ledger shows it too, with who asked; the events list is there (empty: nothing drifted).
    await page.goto("/operations");
    const row = page.locator(`[data-testid^="operation-row-"][data-container="${container}"]`);
    await expect(row).toHaveAttribute("data-status", "applied");
    await expect(row).toContainText(e2e.adminEmail);
    await expect(page.getByTestId("reconcile-events")).toBeVisible();
  });
});
