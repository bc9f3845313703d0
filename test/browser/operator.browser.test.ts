import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningServer, runCli, startServer } from "../support/processes.js";
import { createTempDir, removeDir } from "../support/temp-dir.js";
import { browserSkipReason, launchBrowser, lookAt, person } from "./browser-support.js";
import { createTenantInConsole, signInInConsole, signUpInConsole } from "./console-helpers.js";

/**
 * The people who run tenantgate: an operator made with `tenantgate user create --operator`
 * sees the instance (status, metrics, tenants, users), creates a service key whose token is
 * shown once and revokes it, and views the console read-only as a tenant's owner with a stated
 * reason, which the tenant's audit log then shows. And /docs, rendered from the package under
 * the same CSP.
 */
// Without Chromium these skip (vitest.config.ts says so once); in CI they fail.
const skip = browserSkipReason();

const OPERATOR_PASSWORD = "a long operator password";

describe.skipIf(skip)("the operator's console", () => {
  let server: RunningServer;
  let dataDir: string;
  let browser: Browser;
  let operator: Awaited<ReturnType<typeof person>>;
  let owner: Awaited<ReturnType<typeof person>>;
  const stamp = Date.now();
  const operatorEmail = `ops-${stamp}@example.com`;
  const ownerEmail = `owner-${stamp}@example.com`;

  beforeAll(async () => {
    dataDir = createTempDir("browser-operator");
    [server, browser] = await Promise.all([startServer({ DATA_DIR: dataDir }), launchBrowser()]);
    const created = await runCli(
      ["user", "create", "--email", operatorEmail, "--password-stdin", "--operator"],
      { env: { DATA_DIR: dataDir }, input: `${OPERATOR_PASSWORD}\n` },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ operator: true });
    operator = await person(browser, server.url);
    owner = await person(browser, server.url);
    for (const who of [operator, owner]) who.page.on("dialog", (dialog) => void dialog.accept());
    await signUpInConsole(owner.page, ownerEmail);
    await createTenantInConsole(owner.page, "Initech");
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    removeDir(dataDir);
  });

  test("the instance view: engine and store answering, counts, metrics, tenants and users", async () => {
    const { page } = operator;
    await signInInConsole(page, operatorEmail, OPERATOR_PASSWORD);
    await page.getByRole("link", { name: "Instance" }).click();
    await page.getByRole("heading", { name: "Instance" }).waitFor();
    await page.getByText("embedded: answering").waitFor();
    await page.getByText("sqlite: answering").waitFor();
    await page.getByRole("cell", { name: "tenantgate_http_requests_total" }).first().waitFor();
    await page.getByRole("cell", { name: /^Initech ten_/ }).waitFor();
    await page.getByRole("row").filter({ hasText: ownerEmail }).waitFor();
    await lookAt(page, "instance");
    // Nobody else has the page, nor its API.
    await owner.page.goto("/#/instance");
    await owner.page
      .getByText("There is no such page.")
      .or(owner.page.getByText("may not see"))
      .first()
      .waitFor();
    expect(await owner.page.getByRole("link", { name: "Instance" }).count()).toBe(0);
  });

  test("a service key: its token shown once, then revoked", async () => {
    const { page } = operator;
    await page.goto("/#/instance");
    await page.getByLabel("Key name").fill("billing");
    await page.getByRole("button", { name: "Create key" }).click();
    const token = await page.getByLabel("New key's token").inputValue();
    expect(token).toMatch(/^tgs_/);
    const keyRow = page.getByRole("row").filter({ hasText: "billing" });
    await keyRow.waitFor();
    await page.reload();
    await keyRow.waitFor();
    expect(await page.getByLabel("New key's token").count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    const check = await fetch(`${server.url}/v1/check`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ resource: "project:p1", permission: "view", subject: "account:a1" }),
    });
    expect(check.status).toBe(200);
    await keyRow.getByRole("button", { name: /^Revoke/ }).click();
    await expect.poll(() => keyRow.count()).toBe(0);
    const after = await fetch(`${server.url}/v1/check`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ resource: "project:p1", permission: "view", subject: "account:a1" }),
    });
    expect(after.status).toBe(401);
  });

  test("view as an owner: banner, read-only, and an entry in the tenant's audit log", async () => {
    const { page } = operator;
    await page.goto("/#/instance");
    const row = page.getByRole("row").filter({ hasText: ownerEmail });
    await row.getByText("View as…").click();
    await row.getByLabel(/^Reason/).fill("support ticket 4411: cannot see the members");
    await row.getByRole("button", { name: `View read-only as ${ownerEmail}` }).click();
    const banner = page.getByRole("region", { name: "Viewing as another account" });
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`Viewing as ${ownerEmail}`);
    expect(await banner.textContent()).toContain("support ticket 4411");
    await page.goto("/#/members");
    await page.getByRole("heading", { name: "Members of Initech" }).waitFor();
    await lookAt(page, "view-as");
    // Any change is refused by the API itself, whatever the console offers.
    await page.goto("/#/");
    await page.getByRole("textbox", { name: "Name" }).fill("Sneaky");
    await page.getByRole("button", { name: "Create tenant" }).click();
    await page.getByText("viewing as an account is read-only").waitFor();
    await banner.getByRole("button", { name: "Stop viewing" }).click();
    await page.getByRole("heading", { name: "Instance" }).waitFor();
    expect(await page.getByRole("region", { name: "Viewing as another account" }).count()).toBe(0);

    await owner.page.goto("/#/audit");
    const entry = owner.page.getByRole("row").filter({ hasText: "support ticket 4411" });
    await entry.waitFor();
    expect(await entry.textContent()).toContain("support ticket 4411");
    operator.assertClean();
    owner.assertClean();
  });

  test("/docs: the OpenAPI document rendered by Swagger UI from the package, under the CSP", async () => {
    const reader = await person(browser, server.url);
    const response = await reader.page.goto("/docs");
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await reader.page
      .getByRole("heading", { name: /tenantgate/ })
      .first()
      .waitFor();
    await reader.page.getByText("/v1/tenants/{tenantId}/members").first().waitFor();
    await lookAt(reader.page, "docs");
    reader.assertClean();
  });
});
