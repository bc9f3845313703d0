import type { AuthzEngine } from "../authz/engine.js";
import type { Config } from "../config.js";
import type { SqliteDatabase } from "../db/sqlite.js";
import type { Logger } from "../lib/logger.js";

/** What every request handler may use; built once in main.ts and handed to the app. */
export interface AppServices {
  config: Config;
  db: SqliteDatabase;
  engine: AuthzEngine;
  logger: Logger;
}

export interface AppEnv {
  Variables: {
    services: AppServices;
    requestId: string;
  };
}
