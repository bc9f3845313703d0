import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { answerAtEndOfTurn } from "../../src/http/end-of-turn.js";
import { type Harness, startHarness } from "./harness.js";

/**
 * The same app as the rest of the HTTP suite, but served by @hono/node-server on 127.0.0.1 as
 * `tenantgate serve` serves it: headers and body limits take a different path there than through
 * app.request.
 */
describe("served over HTTP", () => {
  let h: Harness;
  let server: ServerType;
  let port: number;
  beforeAll(async () => {
    h = await startHarness();
    server = serve({ fetch: answerAtEndOfTurn(h.app.fetch), port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
  });

  /**
   * One request on a connection of its own; `chunks` are written one by one, so without a length
   * the body is chunked.
   */
  function send(
    method: string,
    path: string,
    headers: Record<string, string | number>,
    chunks: string[] = [],
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port, method, path, headers, agent: false },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      // The server may answer 413 and close before the whole body is sent.
      req.on("error", (error) => {
        if ((error as NodeJS.ErrnoException).code !== "EPIPE") reject(error);
      });
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  test("every response carries the security headers and a request id", async () => {
    for (const path of ["/healthz", "/v1/session", "/no-such-route"]) {
      const response = await send("GET", path, {});
      expect(response.headers).toMatchObject({
        "x-content-type-options": "nosniff",
        "x-frame-options": "SAMEORIGIN",
        "referrer-policy": "no-referrer",
        "strict-transport-security": "max-age=15552000; includeSubDomains",
        "cross-origin-opener-policy": "same-origin",
      });
      expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test("a caller's plain request id is kept and echoed in problems; anything else is replaced", async () => {
    const kept = await send("GET", "/v1/session", { "x-request-id": "trace-42_a=" });
    expect(kept.status).toBe(401);
    expect(kept.headers["x-request-id"]).toBe("trace-42_a=");
    expect(JSON.parse(kept.body)).toMatchObject({ requestId: "trace-42_a=" });

    const replaced = await send("GET", "/healthz", { "x-request-id": "bad id;<script>" });
    expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("a JSON request with a length is read and answered", async () => {
    const body = JSON.stringify({ email: "nobody@example.com", password: "wrong password 123" });
    const response = await send(
      "POST",
      "/v1/auth/login",
      { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      [body],
    );
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ code: "invalid_credentials" });
  });

  test("a chunked JSON request is read and answered", async () => {
    const body = JSON.stringify({ email: "nobody@example.com", password: "wrong password 123" });
    const response = await send("POST", "/v1/auth/login", { "content-type": "application/json" }, [
      body.slice(0, 10),
      body.slice(10),
    ]);
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ code: "invalid_credentials" });
  });

  test("a body declared over 1 MiB is refused with 413 before it is read", async () => {
    const response = await send("POST", "/v1/auth/login", {
      "content-type": "application/json",
      "content-length": 2 * 1024 * 1024,
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ code: "body_too_large" });
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
  });

  test("a chunked body that grows past 1 MiB is refused with 413", async () => {
    // Like a client streaming an upload: a chunk at a time, stopping once the server has answered.
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      let answered = false;
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/v1/auth/login",
          headers: { "content-type": "application/json" },
          agent: false,
        },
        (res) => {
          answered = true;
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", (error) => {
        if (!answered) reject(error);
      });
      const chunk = "x".repeat(128 * 1024);
      const writeMore = (left: number) => {
        if (answered) return;
        if (left === 0) {
          req.end();
          return;
        }
        req.write(chunk, () => setTimeout(() => writeMore(left - 1), 5));
      };
      writeMore(16);
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ code: "body_too_large" });
  });
});
