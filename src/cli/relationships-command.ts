import { parseArgs } from "node:util";
import { exportRelationships, importRelationships } from "../authz/relationship-transfer.js";
import type { Config } from "../config.js";
import type { Logger } from "../lib/logger.js";
import { startRuntime } from "../main.js";
import { CliUsageError } from "./usage-error.js";

/**
 * `tenantgate relationships export|import|delete`: on DATA_DIR (or the remote SpiceDB when configured),
 * with the data dir to themselves.
 */
export async function runRelationshipsCommand(
  config: Config,
  logger: Logger,
  args: string[],
): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === "export") {
    const runtime = await startRuntime(config, logger, {
      purpose: "relationships export",
      applySchema: false,
    });
    try {
      for await (const line of exportRelationships(runtime.services.engine)) {
        if (!process.stdout.write(`${line}\n`))
          await new Promise((r) => process.stdout.once("drain", r));
      }
    } finally {
      await runtime.close();
    }
    return;
  }
  if (sub === "import" || sub === "delete") {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true });
    const file = positionals[0];
    if (!file) throw new CliUsageError(`relationships ${sub} needs a FILE`);
    const remove = sub === "delete";
    const verb = remove ? "deleted" : "imported";
    const runtime = await startRuntime(config, logger, { purpose: `relationships ${sub}` });
    try {
      let reported = 0;
      const { imported, duplicates } = await importRelationships(
        runtime.services.engine,
        file,
        (loaded) => {
          if (loaded - reported >= 10_000) {
            reported = loaded;
            process.stderr.write(`${verb} ${loaded} relationships…\n`);
          }
        },
        { remove },
      );
      const repeated = duplicates > 0 ? ` (${duplicates} repeated lines counted once)` : "";
      process.stderr.write(`${verb} ${imported} relationships from ${file}${repeated}\n`);
    } finally {
      await runtime.close();
    }
    return;
  }
  throw new CliUsageError("usage: tenantgate relationships export | import FILE | delete FILE");
}
