import { parseArgs } from "node:util";
import { allAuditEntries } from "../audit/audit-log.js";
import type { Config } from "../config.js";
import { CliUsageError } from "./usage-error.js";
import { withStore } from "./with-store.js";

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
    for await (const entry of allAuditEntries(store, { tenantId: values.tenant, since })) {
      if (!process.stdout.write(`${JSON.stringify(entry)}\n`))
        await new Promise((r) => process.stdout.once("drain", r));
    }
  });
}
