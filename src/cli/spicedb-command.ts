import { parseArgs } from "node:util";
import type { CliEnvironment } from "../config.js";
import { createLogger } from "../lib/logger.js";
import { serveSpicedb } from "../spicedb-server/serve.js";
import { CliUsageError } from "./usage-error.js";

const USAGE = `usage: tenantgate spicedb serve --preshared-key KEY [--port 50051] [--host 127.0.0.1]
                               [--data-dir DIR] [--log-level info]

  A single-node SpiceDB for development and tests, where no SpiceDB binary or Docker is at
  hand: the embedded SpiceDB engine served over SpiceDB's standard gRPC API (authzed.api.v1
  PermissionsService, SchemaService, WatchService), so any SpiceDB client (zed,
  @authzed/authzed-node, tenantgate with SPICEDB_ENDPOINT and SPICEDB_INSECURE=true) can use it.
  It is NOT a production SpiceDB: no TLS, no replicas, one process. Production uses a SpiceDB
  cluster.

  --preshared-key KEY  required, as SpiceDB requires it: clients send "authorization: Bearer KEY".
                       May come from SPICEDB_GRPC_PRESHARED_KEY instead (keeps it out of ps).
  --port N             gRPC port (default 50051; 0 picks a free one, logged when listening).
  --host ADDR          address to listen on (default 127.0.0.1). Plaintext: keep it on loopback.
  --data-dir DIR       keep the schema and relationships in DIR/spicedb.sqlite; they survive
                       restarts. Without it: memory-only, in a temporary directory removed at exit.
  --log-level LEVEL    JSON logs on stderr (default info).

  Stops gracefully on SIGTERM or SIGINT. See docs/spicedb-dev-server.md.`;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** `tenantgate spicedb serve …`; runs until SIGTERM or SIGINT. */
export async function runSpicedbCommand(args: string[], env: CliEnvironment): Promise<void> {
  const [sub, ...rest] = args;
  if (!sub || sub === "help" || sub === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (sub !== "serve") throw new CliUsageError(`unknown command: spicedb ${sub}\n\n${USAGE}`);
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(rest).values;
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // NOTE: read once here, like SpiceDB's own flag of the same name; a key on the command line is
  // visible to every user of the machine through ps.
  const presharedKey = values["preshared-key"] ?? env.SPICEDB_GRPC_PRESHARED_KEY ?? "";
  if (!presharedKey) {
    throw new CliUsageError(
      `spicedb serve needs --preshared-key KEY (or SPICEDB_GRPC_PRESHARED_KEY)\n\n${USAGE}`,
    );
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535) {
    throw new CliUsageError(`--port must be a port number (0 to 65535), not ${values.port}`);
  }
  if (values["data-dir"] === "") throw new CliUsageError("--data-dir must not be empty");
  if (!LOG_LEVELS.includes(values["log-level"])) {
    throw new CliUsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  }
  await serveSpicedb(
    { host: values.host, port, presharedKey, dataDir: values["data-dir"] },
    createLogger(values["log-level"]),
  );
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      "preshared-key": { type: "string" },
      port: { type: "string", default: "50051" },
      host: { type: "string", default: "127.0.0.1" },
      "data-dir": { type: "string" },
      "log-level": { type: "string", default: "info" },
      help: { type: "boolean", default: false },
    },
  });
}
