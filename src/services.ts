import type { RateLimiter } from "./auth/rate-limit.js";
import type { SessionCache } from "./auth/session-cache.js";
import type { SessionPolicy } from "./auth/sessions.js";
import type { AuthzEngine } from "./authz/engine.js";
import type { SchemaMembers } from "./authz/schema-members.js";
import type { CheckBatcher } from "./check/check-batcher.js";
import type { DecisionCache } from "./check/decision-cache.js";
import type { Config } from "./config.js";
import type { Store } from "./data/database.js";
import type { SqliteDatabase } from "./data/sqlite.js";
import type { Logger } from "./lib/logger.js";
import type { Metrics } from "./metrics/metrics.js";
import type { TenancyConfig } from "./tenancy/tenancy-config.js";

/** What every action may use; built once in main.ts (startRuntime) and handed to the app. */
export interface Services {
  config: Config;
  /** The SQLite file (engine mirror; identity data too unless DATABASE_URL is set). */
  db: SqliteDatabase;
  /** Identity data: users, sessions, tenants, accounts, invitations. */
  store: Store;
  engine: AuthzEngine;
  /** The tenancy model: role names, who administers what, who writes which relations. */
  tenancy: TenancyConfig;
  /** Which names of the deployed schema are relations and which permissions. */
  schemaMembers: SchemaMembers;
  /** Coalesces concurrent permission checks into bulk engine calls. */
  checks: CheckBatcher;
  /** Remembers decisions until a write or an expiration could change them. */
  decisions: DecisionCache;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  sessionPolicy: SessionPolicy;
  /** Validated sessions in memory; only with the SQLite store (see SessionCache). */
  sessionCache: SessionCache | undefined;
  limits: { authByIp: RateLimiter; authByEmail: RateLimiter };
}
