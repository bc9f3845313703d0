import type { Page } from "playwright-core";

export const PASSWORD = "correct horse battery";

/** Signs up through the console's own form, from its front page. */
export async function signUpInConsole(page: Page, email: string): Promise<void> {
  await page.goto("/");
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Your tenants" }).waitFor();
}

export async function signInInConsole(page: Page, email: string, password = PASSWORD) {
  await page.goto("/#/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Your tenants" }).waitFor();
}

/** The tenant the header's switcher marks active. */
export const activeTenant = (page: Page) =>
  page.locator(".top select option:checked").textContent();

export async function createTenantInConsole(page: Page, name: string): Promise<string> {
  await page.goto("/#/");
  await page.getByRole("textbox", { name: "Name" }).fill(name);
  await page.getByRole("button", { name: "Create tenant" }).click();
  await page.getByText(`Active tenant: ${name}`).waitFor();
  await page.waitForFunction(
    `document.querySelector(".top select option:checked")?.textContent === ${JSON.stringify(`${name} (active)`)}`,
  );
  return page.locator(".top select").inputValue();
}

/** Asks the permission checker; returns the answer's word (Allowed, Denied, Conditional). */
export async function askInConsole(
  page: Page,
  resource: string,
  permission: string,
  account?: string,
): Promise<string | null> {
  await page.goto("/#/ask");
  await page.getByRole("heading", { name: "Ask a question" }).waitFor();
  if (account) await page.getByLabel("Account", { exact: true }).selectOption({ label: account });
  const [type, id] = resource.split(":") as [string, string];
  await page.getByLabel("Type", { exact: true }).selectOption(type);
  await page.getByLabel("Object id").fill(id);
  await page.getByLabel("Permission", { exact: true }).selectOption(permission);
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const answer = page.locator(".result h2 .answer");
  await answer.waitFor();
  return answer.textContent();
}

/** Writes relationship lines through the text editor of the Relationships page. */
export async function writeLines(page: Page, lines: string[]): Promise<void> {
  await page.goto("/#/relationships");
  await page.getByRole("button", { name: "Read the lines" }).waitFor();
  await page.getByLabel(/Relationships, one per line/).fill(lines.join("\n"));
  await page.getByRole("button", { name: "Read the lines" }).click();
  await page.getByRole("button", { name: /relationships? \(all or none\)$/ }).click();
}
