import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { REPO_ROOT } from "../support/runtime.js";
import { CHROMIUM } from "./chromium.js";

export { browserSkipReason } from "./chromium.js";

/** playwright-core driving Debian's Chromium against a real `tenantgate serve`. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export const WIDE = { width: 1280, height: 900 };
export const NARROW = { width: 390, height: 844 };

/**
 * A person in their own browser profile (own cookies). Every page error and every refusal by the
 * Content-Security-Policy is collected; `assertClean()` fails the test if there was any.
 */
export async function person(browser: Browser, baseURL: string) {
  const context: BrowserContext = await browser.newContext({ baseURL, viewport: WIDE });
  const problems: string[] = [];
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text()))
      problems.push(`CSP: ${message.text()}`);
  });
  return {
    context,
    page,
    assertClean: () => expect(problems).toEqual([]),
  };
}

const SCREENSHOTS = join(REPO_ROOT, "test/browser/screenshots");

/**
 * Screenshots of the page at 1280 and 390 px wide (written for people to look at, never
 * compared), and axe-core's verdict at both widths: no serious or critical violation.
 */
export async function lookAt(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize() ?? WIDE;
  for (const [label, size] of [
    ["1280", WIDE],
    ["390", NARROW],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
    await expectAccessible(page, `${name} at ${label} px`);
  }
  await page.setViewportSize(before);
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core in the page. It is evaluated through the DevTools protocol, not added as a script
 * tag: the page's CSP (rightly) refuses inline scripts, and the test must not weaken it.
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  // Runs in the page (a string, since the test's own types have no DOM).
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
  )) as AxeViolation[];
  const serious = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target)).slice(0, 300)}`,
    );
  expect(serious, where).toEqual([]);
}
