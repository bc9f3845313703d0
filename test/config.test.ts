import { describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { runCli } from "./support/processes.js";

describe("loadConfig", () => {
  test("defaults when nothing is set", () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8080,
      HOST: "127.0.0.1",
      DATA_DIR: "./data",
      SCHEMA_PATH: "./schema.zed",
      LOG_LEVEL: "info",
      SPICEDB_INSECURE: false,
      SPICEDB_TIMEOUT_MS: 2_000,
      SHUTDOWN_GRACE_MS: 10_000,
    });
  });

  test("parses and coerces the values it is given; an empty value counts as unset", () => {
    const config = loadConfig({
      PORT: "0",
      DATA_DIR: "/var/lib/tenantgate",
      LOG_LEVEL: "debug",
      SPICEDB_ENDPOINT: "spicedb:50051",
      SPICEDB_PRESHARED_KEY: "secret",
      SPICEDB_INSECURE: "1",
      SPICEDB_TIMEOUT_MS: "500",
      HOST: "",
      UNRELATED: "ignored",
    });
    expect(config).toMatchObject({
      PORT: 0,
      DATA_DIR: "/var/lib/tenantgate",
      LOG_LEVEL: "debug",
      SPICEDB_ENDPOINT: "spicedb:50051",
      SPICEDB_INSECURE: true,
      SPICEDB_TIMEOUT_MS: 500,
      HOST: "127.0.0.1",
    });
    expect(config).not.toHaveProperty("UNRELATED");
  });

  test.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "80.5"],
    ["LOG_LEVEL", "loud"],
    ["SPICEDB_ENDPOINT", "http://spicedb"],
    ["SPICEDB_INSECURE", "yes"],
    ["SPICEDB_TIMEOUT_MS", "10"],
    ["SHUTDOWN_GRACE_MS", "-1"],
  ])("%s=%s is refused with one line naming the variable", (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`invalid ${variable}=${JSON.stringify(value)}: `)).toBe(true);
    expect(message).not.toContain("\n");
  });

  test("a remote SpiceDB needs its preshared key", () => {
    expect(() => loadConfig({ SPICEDB_ENDPOINT: "spicedb:50051" })).toThrow(
      "missing SPICEDB_PRESHARED_KEY: required when SPICEDB_ENDPOINT is set",
    );
  });
});

describe("the CLI with a bad value", () => {
  test("stops with exit code 2 and one stderr line naming the variable", async () => {
    const result = await runCli(["serve"], { env: { PORT: "abc" } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe('tenantgate: invalid PORT="abc": expected a port number\n');
  });
});
