import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningServer, startServer } from "../support/processes.js";
import { createTempDir, removeDir } from "../support/temp-dir.js";
import { browserSkipReason, launchBrowser, lookAt, person } from "./browser-support.js";
import { activeTenant, askInConsole, createTenantInConsole, PASSWORD } from "./console-helpers.js";

/**
 * The seed problem, through the console in a real browser against a real `tenantgate serve`
 * with its default settings (the `__Host-` cookie on http://127.0.0.1, as `npm start` runs it):
 * Alice creates tenant A and invites Bob as a member; Bob accepts from the link; Alice grants
 * Bob edit on a project; Bob switches between A and his own tenant B and the checker answers
 * differently in each; Alice removes Bob and his next page load shows he is out.
 */
// Without Chromium these skip (vitest.config.ts says so once); in CI they fail.
const skip = browserSkipReason();

describe.skipIf(skip)("the seed scenario in the console", () => {
  let server: RunningServer;
  let dataDir: string;
  let browser: Browser;
  let alice: Awaited<ReturnType<typeof person>>;
  let bob: Awaited<ReturnType<typeof person>>;
  let invitationLink = "";
  let tenantA = "";
  const aliceEmail = `alice-${Date.now()}@example.com`;
  const bobEmail = `bob-${Date.now()}@example.com`;

  beforeAll(async () => {
    dataDir = createTempDir("browser-seed");
    [server, browser] = await Promise.all([startServer({ DATA_DIR: dataDir }), launchBrowser()]);
    alice = await person(browser, server.url);
    bob = await person(browser, server.url);
    for (const who of [alice, bob]) who.page.on("dialog", (dialog) => void dialog.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    removeDir(dataDir);
  });

  test("Alice signs up and creates tenant A", async () => {
    const { page } = alice;
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in to tenantgate" }).waitFor();
    await lookAt(page, "sign-in");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("heading", { name: "Create your tenantgate account" }).waitFor();
    await lookAt(page, "sign-up");
    await page.getByLabel("Email").fill(aliceEmail);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("You belong to no tenant yet").waitFor();
    await lookAt(page, "tenants-empty");
    await createTenantInConsole(page, "Acme");
    tenantA = await page.locator(".top select").inputValue();
    expect(tenantA).toMatch(/^ten_/);
    await lookAt(page, "tenants");
  });

  test("Alice invites Bob as a member and gets the link to send", async () => {
    const { page } = alice;
    await page.goto("/#/members");
    await page.getByRole("heading", { name: "Members of Acme" }).waitFor();
    await page.getByRole("textbox", { name: "Email", exact: true }).fill(bobEmail);
    // A select's accessible name includes its value ("Role member"): find it by its form.
    const invite = page
      .locator("form")
      .filter({ has: page.getByRole("button", { name: "Invite", exact: true }) });
    await invite.getByRole("combobox").selectOption("member");
    await invite.getByRole("button", { name: "Invite", exact: true }).click();
    invitationLink = await page.getByLabel("Invitation link").inputValue();
    expect(invitationLink).toMatch(new RegExp(`^${server.url}/invite/tgi_`));
    await page.getByRole("cell", { name: bobEmail, exact: true }).waitFor();
    await lookAt(page, "members");
  });

  test("Bob opens the link, signs up and joins in one step, then creates his own tenant B", async () => {
    const { page } = bob;
    // A link broken in transit (a malformed escape) still shows the invitation page, not a blank one.
    await page.goto("/invite/%E0");
    await page.getByRole("heading", { name: "You have been invited to a tenant" }).waitFor();
    await page.goto(invitationLink);
    await page.getByRole("heading", { name: "You have been invited to a tenant" }).waitFor();
    await lookAt(page, "invite");
    await page.getByLabel("Email").fill(bobEmail);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account and join" }).click();
    await page.getByText("Active tenant: Acme").waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    await createTenantInConsole(page, "Bob's own");
  });

  test("Alice grants Bob edit on project p1 and asks the checker about him", async () => {
    const { page } = alice;
    await page.goto("/#/relationships");
    await page.getByRole("heading", { name: "Relationships of Acme" }).waitFor();
    const bobSubject = await page
      .locator(`#member-subjects option[label="${bobEmail}"]`)
      .getAttribute("value");
    expect(bobSubject).toMatch(/^account:acc_/);
    await page
      .getByLabel(/Relationships, one per line/)
      .fill(`project:p1#tenant@tenant:${tenantA}\nproject:p1#editor@${bobSubject}`);
    await page.getByRole("button", { name: "Read the lines" }).click();
    await page.getByText("2 lines read; nothing written yet").waitFor();
    await page.getByRole("button", { name: "Write 2 relationships (all or none)" }).click();
    await page.getByText("Wrote 2 updates.").waitFor();
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByText(`project:p1#editor@${bobSubject}`).first().waitFor();
    await lookAt(page, "relationships");

    expect(await askInConsole(page, "project:p1", "edit", bobEmail)).toBe("Allowed");
    await page.getByRole("heading", { name: "Why" }).waitFor();
    await lookAt(page, "ask");
    await page.getByRole("button", { name: "Watch this question" }).click();
    await page.locator(".watch-panel").getByText("Allowed").waitFor();
  });

  test("Bob's checker answers differently in A and in B; switching needs no new sign-in", async () => {
    const { page } = bob;
    await page.goto("/#/");
    await page.getByText("Active tenant: Bob's own").waitFor();
    expect(await askInConsole(page, "project:p1", "edit")).toBe("Denied");
    await page.getByLabel("Tenant", { exact: true }).selectOption({ label: "Acme" });
    await page.getByRole("button", { name: "Switch" }).click();
    await expect.poll(() => activeTenant(page)).toBe("Acme (active)");
    expect(await askInConsole(page, "project:p1", "edit")).toBe("Allowed");
    await lookAt(page, "ask-member");
    await page.getByLabel("Tenant", { exact: true }).selectOption({ label: "Bob's own" });
    await page.getByRole("button", { name: "Switch" }).click();
    await expect.poll(() => activeTenant(page)).toBe("Bob's own (active)");
    expect(await askInConsole(page, "project:p1", "edit")).toBe("Denied");
    // Back in A for the last step, where Alice removes him.
    await page.getByLabel("Tenant", { exact: true }).selectOption({ label: "Acme" });
    await page.getByRole("button", { name: "Switch" }).click();
    await expect.poll(() => activeTenant(page)).toBe("Acme (active)");
    // A plain member sees no administration of A.
    await expect.poll(() => page.getByRole("link", { name: "Relationships" }).count()).toBe(0);
    await expect.poll(() => page.getByRole("link", { name: "Audit log" }).count()).toBe(0);
  });

  test("Alice removes Bob: her watch turns to Denied, and Bob's next page load shows he is out", async () => {
    const { page } = alice;
    await page.goto("/#/members");
    const row = page.getByRole("row").filter({ hasText: bobEmail });
    await row.getByRole("button", { name: /^Remove/ }).click();
    await expect.poll(() => page.getByRole("row").filter({ hasText: bobEmail }).count()).toBe(0);
    await page.locator(".watch-panel").getByText("Denied").waitFor();

    await bob.page.reload();
    await bob.page.getByText("No tenant is active").first().waitFor();
    expect(await bob.page.locator(".top select option").allTextContents()).toEqual([
      "(none active)",
      "Bob's own",
    ]);
    await lookAt(bob.page, "removed");
    alice.assertClean();
    bob.assertClean();
  });
});
