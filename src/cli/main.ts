import { CliUsageError } from "./usage-error.js";

const USAGE = `usage: tenantgate <command>

commands:
  serve                          run the HTTP service (configured by environment variables)
  relationships export           print every relationship, one per line, to stdout
  relationships import FILE      load relationships from FILE (idempotent)
  relationships delete FILE      delete the relationships FILE lists (idempotent)
  schema validate [FILE...]      check .zed schemas and zed validation YAML files on a real engine
  schema diff [FILE] TARGET      the changes FILE (./schema.zed) makes to TARGET's schema
  schema apply [FILE] TARGET     write FILE to TARGET: --against HOST:PORT | --against-data-dir DIR
  user create --email E --password-stdin [--name N] [--operator]
                                 create a user (password read from stdin); --operator: may
                                 write installation-wide relationships and sees the console's
                                 instance view
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

/**
 * Failures an operator can act on, told in their own one line (by name: their modules are loaded
 * only by the commands that raise them, and not at all for `help`).
 */
const USAGE_ERRORS = new Set(["ConfigError", "CliUsageError", "TenancyConfigError"]);
const ONE_LINE_ERRORS = new Set([
  "DataDirLockedError",
  "SchemaRejectedError",
  "ImportError",
  "MigrationError",
  "NotADataDirError",
]);

async function run(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (!command || command === "help" || command === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Each command loads only what it needs: `tenantgate help` loads neither zod nor the logger.
  const { cliEnvironment, loadConfig } = await import("../config.js");
  const env = cliEnvironment();
  // Schema and dev-server commands take flags, not the service's environment configuration.
  if (command === "schema")
    process.exit(await (await import("./schema-command.js")).runSchemaCommand(argv.slice(1), env));
  if (command === "spicedb")
    return (await import("./spicedb-command.js")).runSpicedbCommand(argv.slice(1), env);
  const config = loadConfig();
  // CLI commands keep stderr quiet unless asked; the server logs at the configured level.
  const { createLogger } = await import("../lib/logger.js");
  const logger = createLogger(command === "serve" ? config.LOG_LEVEL : (env.LOG_LEVEL ?? "warn"));
  if (command === "serve") return (await import("../main.js")).serveHttp(config, logger);
  if (command === "user")
    return (await import("./identity-commands.js")).runUserCommand(config, argv.slice(1));
  if (command === "service-key")
    return (await import("./identity-commands.js")).runServiceKeyCommand(config, argv.slice(1));
  if (command === "audit")
    return (await import("./audit-command.js")).runAuditCommand(config, argv.slice(1));
  if (command === "relationships") {
    const { runRelationshipsCommand } = await import("./relationships-command.js");
    return runRelationshipsCommand(config, logger, [sub ?? "", ...rest]);
  }
  throw new CliUsageError(`unknown command: ${argv.join(" ")}\n\n${USAGE}`);
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof Error && USAGE_ERRORS.has(error.name)) {
    process.stderr.write(`tenantgate: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof Error && ONE_LINE_ERRORS.has(error.name)) {
    process.stderr.write(`tenantgate: ${error.message}\n`);
    process.exit(1);
  }
  // Unexpected: its stack, for whoever has to find out why.
  process.stderr.write(`tenantgate: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
