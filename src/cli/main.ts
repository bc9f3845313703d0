import { parseArgs } from "node:util";
import {
  exportRelationships,
  ImportError,
  importRelationships,
} from "../authz/relationship-transfer.js";
import { SchemaRejectedError } from "../authz/schema-sync.js";
import { ConfigError, loadConfig } from "../config.js";
import { DataDirLockedError } from "../lib/data-dir-lock.js";
import { createLogger } from "../lib/logger.js";
import { serveHttp, startRuntime } from "../main.js";
import { runAuditCommand } from "./audit-command.js";
import { runServiceKeyCommand, runUserCommand } from "./identity-commands.js";
import { runSchemaCommand } from "./schema-command.js";
import { runSpicedbCommand } from "./spicedb-command.js";
import { CliUsageError } from "./usage-error.js";

const USAGE = `usage: tenantgate <command>

commands:
  serve                          run the HTTP service (configured by environment variables)
  relationships export           print every relationship, one per line, to stdout
  relationships import FILE      load relationships from FILE (idempotent)
  schema validate [FILE...]      check .zed schemas and zed validation YAML files on a real engine
  schema diff [FILE] TARGET      the changes FILE (./schema.zed) makes to TARGET's schema
  schema apply [FILE] TARGET     write FILE to TARGET: --against HOST:PORT | --against-data-dir DIR
  user create --email E --password-stdin [--name N] [--operator]
                                 create a user (password read from stdin); --operator
                                 shows them the console's instance view
  service-key create --name N [--scope check|write]
                                 create a key for another service; prints the token once
  service-key list               list keys (never their secrets)
  service-key revoke ID_OR_NAME  revoke a key at once
  audit export [--tenant ID] [--since TIME]
                                 print the audit log as JSON lines
  spicedb serve --preshared-key KEY [--port N] [--data-dir DIR]
                                 a single-node SpiceDB gRPC server for development and tests

Configuration comes from the environment; see README.md.`;

/** Exit codes: 0 ok, 1 the command failed, 2 bad usage or configuration. */

async function run(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (!command || command === "help" || command === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Schema and dev-server commands take flags, not the service's environment configuration.
  if (command === "schema") process.exit(await runSchemaCommand(argv.slice(1)));
  if (command === "spicedb") return runSpicedbCommand(argv.slice(1));
  const config = loadConfig();
  // CLI commands keep stderr quiet unless asked; the server logs at the configured level.
  const logger = createLogger(
    command === "serve" ? config.LOG_LEVEL : (process.env.LOG_LEVEL ?? "warn"),
  );
  if (command === "serve") return serveHttp(config, logger);
  if (command === "user") return runUserCommand(config, argv.slice(1));
  if (command === "service-key") return runServiceKeyCommand(config, argv.slice(1));
  if (command === "audit") return runAuditCommand(config, argv.slice(1));
  if (command === "relationships" && sub === "export") {
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
  if (command === "relationships" && sub === "import") {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true });
    const file = positionals[0];
    if (!file) throw new CliUsageError("relationships import needs a FILE");
    const runtime = await startRuntime(config, logger, { purpose: "relationships import" });
    try {
      let reported = 0;
      const { imported, duplicates } = await importRelationships(
        runtime.services.engine,
        file,
        (loaded) => {
          if (loaded - reported >= 10_000) {
            reported = loaded;
            process.stderr.write(`imported ${loaded} relationships…\n`);
          }
        },
      );
      const repeated = duplicates > 0 ? ` (${duplicates} repeated lines counted once)` : "";
      process.stderr.write(`imported ${imported} relationships from ${file}${repeated}\n`);
    } finally {
      await runtime.close();
    }
    return;
  }
  throw new CliUsageError(`unknown command: ${argv.join(" ")}\n\n${USAGE}`);
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof CliUsageError) {
    process.stderr.write(`tenantgate: ${error.message}\n`);
    process.exit(2);
  }
  if (
    error instanceof DataDirLockedError ||
    error instanceof SchemaRejectedError ||
    error instanceof ImportError
  ) {
    process.stderr.write(`tenantgate: ${error.message}\n`);
    process.exit(1);
  }
  // Unexpected: its stack, for whoever has to find out why.
  process.stderr.write(`tenantgate: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
