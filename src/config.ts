import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0"], { message: "expected true or false" })
  .transform((v) => v === "true" || v === "1");

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, { message: "expected host:port, e.g. spicedb:50051" });

/**
 * Every environment variable tenantgate reads, in one place. README.md documents each one;
 * a test checks the two agree.
 */
export const configSchema = z.object({
  PORT: z.coerce
    .number({ message: "expected a port number" })
    .int()
    .min(0)
    .max(65535)
    .default(8080),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATA_DIR: z.string().min(1).default("./data"),
  SCHEMA_PATH: z.string().min(1).default("./schema.zed"),
  TENANCY_PATH: z.string().min(1).default("./tenancy.yaml"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SPICEDB_ENDPOINT: hostPort.optional(),
  SPICEDB_PRESHARED_KEY: z.string().min(1).optional(),
  SPICEDB_INSECURE: booleanFlag.default(false),
  SPICEDB_CA_FILE: z.string().min(1).optional(),
  SPICEDB_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: "expected a postgres:// URL" })
    .optional(),
  SIGNUP: z.enum(["open", "invite-only", "closed"]).default("open"),
  COOKIE_SECURE: booleanFlag.default(true),
  TRUSTED_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.url({ message: "expected comma-separated origins like https://app.example.com" })),
    )
    .default([]),
  /** How many proxies of the operator's stand in front (0: none; `true` means 1). */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, {
      message: "expected false, true (one proxy) or the number of trusted proxies",
    })
    .transform((v) => (v === "true" ? 1 : v === "false" ? 0 : Number(v)))
    .pipe(z.number().int().min(0).max(10, { message: "at most 10 proxies" }))
    .default(0),
  SESSION_IDLE_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(14 * 24 * 3600),
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(90 * 24 * 3600),
  INVITATION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  RATE_LIMIT_AUTH_PER_IP: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_AUTH_PER_EMAIL: z.coerce.number().int().min(1).default(5),
  DECISION_CACHE_SIZE: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
  DECISION_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the environment once at start. A bad value throws a ConfigError whose message is one
 * line naming the variable and what is expected.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== "")
      .map((key) => [key, env[key]]),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? "environment");
    throw new ConfigError(
      `invalid ${variable}=${JSON.stringify(present[variable])}: ${issue?.message}`,
    );
  }
  const config = parsed.data;
  if (config.SPICEDB_ENDPOINT && !config.SPICEDB_PRESHARED_KEY) {
    throw new ConfigError("missing SPICEDB_PRESHARED_KEY: required when SPICEDB_ENDPOINT is set");
  }
  return config;
}

/**
 * What the commands that do not run the service read from the environment, read once at start:
 * SpiceDB keys better kept out of `ps` than put on the command line, and an explicit LOG_LEVEL
 * (the CLI is quiet by default).
 */
export interface CliEnvironment {
  /** `schema diff|apply --against`: the target SpiceDB's key. */
  SPICEDB_PRESHARED_KEY?: string | undefined;
  /** `spicedb serve`: its key, under SpiceDB's own variable name. */
  SPICEDB_GRPC_PRESHARED_KEY?: string | undefined;
  LOG_LEVEL?: string | undefined;
}

export function cliEnvironment(
  env: Record<string, string | undefined> = process.env,
): CliEnvironment {
  const set = (name: string) => (env[name] ? env[name] : undefined);
  return {
    SPICEDB_PRESHARED_KEY: set("SPICEDB_PRESHARED_KEY"),
    SPICEDB_GRPC_PRESHARED_KEY: set("SPICEDB_GRPC_PRESHARED_KEY"),
    LOG_LEVEL: set("LOG_LEVEL"),
  };
}
