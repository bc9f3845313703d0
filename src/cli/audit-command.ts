import { parseArgs } from "node:util";
import { readAuditLog } from "../audit/audit-log.js";
import type { Config } from "../config.js";
import { CliUsageError } from "./usage-error.js";
import { withStore } from "./with-store.js";

const PAGE = 1000;

/** `tenantgate audit export [--tenant ID] [--since ISO-TIME]`: JSON lines on stdout, oldest first. */
export async function runAuditCommand(config: Config, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "export")
    throw new CliUsageError("usage: tenantgate audit export [--tenant ID] [--since ISO-TIME]");
  const { values } = parseArgs({
    args: rest,
    options: { tenant: { type: "string" }, since: { type: "string" } },
  });
  const since = values.since === undefined ? undefined : Date.parse(values.since);
  if (since !== undefined && Number.isNaN(since))
    throw new CliUsageError(`--since ${values.since} is not an ISO 8601 time`);
  await withStore(config, async (store) => {
    let cursor: string | undefined;
    for (;;) {
      const entries = await readAuditLog(store, {
        tenantId: values.tenant,
        since,
        cursor,
        limit: PAGE,
      });
      for (const entry of entries) {
        if (!process.stdout.write(`${JSON.stringify(entry)}\n`))
          await new Promise((r) => process.stdout.once("drain", r));
      }
      if (entries.length < PAGE) return;
      cursor = entries.at(-1)?.id;
    }
  });
}
