import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { RateLimiter } from "./auth/rate-limit.js";
import { SessionCache } from "./auth/session-cache.js";
import { deleteExpiredSessions } from "./auth/store.js";
import type { DurableEngine } from "./authz/durable-engine.js";
import { FreshEngine } from "./authz/fresh-engine.js";
import { SchemaMembers } from "./authz/schema-members.js";
import { syncSchema } from "./authz/schema-sync.js";
import { CheckBatcher } from "./check/check-batcher.js";
import { DecisionCache, type DecisionValidity } from "./check/decision-cache.js";
import type { Config } from "./config.js";
import { openDataDir } from "./data/data-dir.js";
import { createApp } from "./http/app.js";
import { answerAtEndOfTurn } from "./http/end-of-turn.js";
import type { Logger } from "./lib/logger.js";
import { MeteredEngine } from "./metrics/metered-engine.js";
import { createMetrics } from "./metrics/metrics.js";
import { deployedOutline } from "./schema/deployed-outline.js";
import type { Services } from "./services.js";
import { checkAgainstSchema, loadTenancyConfig } from "./tenancy/tenancy-config.js";

const EXPIRED_CLEANUP_MS = 10 * 60 * 1000;
const SESSION_CACHE_SIZE = 10_000;

/** Options tests use to run the service on a controllable clock. */
interface RuntimeOptions {
  purpose?: string;
  applySchema?: boolean;
  clock?: () => number;
}

export interface Runtime {
  services: Services;
  close(): Promise<void>;
}

/**
 * Builds everything the service runs on: the data dir (see openDataDir), the engine layers above
 * it, then the schema from SCHEMA_PATH. Used by `serve`, by the CLI commands that act on a data
 * dir, and by tests.
 */
export async function startRuntime(
  config: Config,
  logger: Logger,
  { purpose = "serve", applySchema = true, clock = Date.now }: RuntimeOptions = {},
): Promise<Runtime> {
  // Its shape first: a mistake there is found before anything is opened.
  const tenancy = loadTenancyConfig(config.TENANCY_PATH);
  const data = await openDataDir(config, logger, purpose);
  const metrics = createMetrics();
  const engine = new FreshEngine(new MeteredEngine(data.engine, metrics), data.store, {
    shared: config.DATABASE_URL !== undefined,
    clock,
    auditedBelow: data.embedded?.recordsAudit ?? false,
  });
  try {
    // The embedded engine starts a new datastore, which knows no earlier zedtoken.
    if (data.embedded) await engine.reset();
    if (applySchema) {
      const schema = readFileSync(config.SCHEMA_PATH, "utf8");
      const outcome = await syncSchema(engine, schema, config.SCHEMA_PATH);
      logger.info({ schema: config.SCHEMA_PATH, outcome }, "schema in place");
    }
    // Then its names, against the schema SpiceDB now holds.
    checkAgainstSchema(tenancy, (await deployedOutline(engine)).outline);
  } catch (error) {
    await data.close();
    throw error;
  }
  const windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const services: Services = {
    config,
    db: data.db,
    store: data.store,
    engine,
    tenancy,
    schemaMembers: new SchemaMembers(engine, clock),
    checks: new CheckBatcher(engine, metrics, {
      maxInFlight: data.embedded ? 1 : 2,
      deadlineMs: config.SPICEDB_TIMEOUT_MS,
    }),
    decisions: new DecisionCache(
      decisionValidity(config, data.embedded, engine),
      config.DECISION_CACHE_SIZE,
      clock,
    ),
    logger,
    metrics,
    clock,
    sessionCache: data.changes ? new SessionCache(data.changes, SESSION_CACHE_SIZE) : undefined,
    sessionPolicy: {
      idleMs: config.SESSION_IDLE_TIMEOUT_SECONDS * 1000,
      absoluteMs: config.SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000,
    },
    limits: {
      authByIp: new RateLimiter(config.RATE_LIMIT_AUTH_PER_IP, windowMs, clock),
      authByEmail: new RateLimiter(config.RATE_LIMIT_AUTH_PER_EMAIL, windowMs, clock),
    },
  };
  const cleanup = setInterval(() => {
    data.embedded?.deleteExpired();
    deleteExpiredSessions(services.store, clock()).catch((error) =>
      logger.warn({ err: error }, "session cleanup failed"),
    );
  }, EXPIRED_CLEANUP_MS).unref();
  return {
    services,
    async close() {
      clearInterval(cleanup);
      await engine.drain();
      await data.close();
    },
  };
}

const DECISION_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * How long a check decision stays valid without a write. The embedded engine knows every
 * expiration (SQLite), so a decision lasts until the next one; a remote SpiceDB's expirations are
 * unknown here, so decisions last DECISION_CACHE_TTL_MS.
 */
function decisionValidity(
  config: Config,
  embedded: DurableEngine | undefined,
  engine: FreshEngine,
): DecisionValidity {
  return {
    generation: () => engine.generation(),
    validUntil: (now: number) =>
      embedded
        ? Math.min(now + DECISION_MAX_AGE_MS, embedded.nextExpiration(now))
        : now + config.DECISION_CACHE_TTL_MS,
  };
}

/** Runs the HTTP server until SIGTERM/SIGINT, then shuts down gracefully. */
export async function serveHttp(config: Config, logger: Logger): Promise<void> {
  const runtime = await startRuntime(config, logger);
  const app = createApp(runtime.services);
  const fetch = answerAtEndOfTurn(app.fetch);
  const server = serve({ fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    // The console's address, to open in a browser (a wildcard address is reached as localhost).
    const host = ["0.0.0.0", "::"].includes(info.address)
      ? "localhost"
      : info.address.includes(":")
        ? `[${info.address}]`
        : info.address;
    logger.info(
      {
        host: info.address,
        port: info.port,
        engine: runtime.services.engine.kind,
        console: `http://${host}:${info.port}/`,
      },
      "tenantgate listening",
    );
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
    const force = setTimeout(() => {
      logger.warn("grace period over; closing remaining connections");
      if ("closeAllConnections" in server) server.closeAllConnections();
    }, config.SHUTDOWN_GRACE_MS).unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    });
    clearTimeout(force);
    await runtime.close();
    logger.info("stopped");
    logger.flush();
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
