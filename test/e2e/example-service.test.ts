import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  type RunningServer,
  runCli,
  spawnNode,
  startServer,
  stopProcess,
  waitForLine,
} from "../support/processes.js";

/** The example service in examples/ against a real tenantgate, both as real processes. */
let tenantgate: RunningServer;
let example: ChildProcess;
let exampleUrl: string;
let dataDir: string;

const json = async (url: string, init: RequestInit & { token?: string; body?: string } = {}) => {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.body) headers.set("content-type", "application/json");
  const response = await fetch(url, { ...init, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

async function signUp(name: string) {
  const email = `${name}-${Date.now()}@example.com`;
  const { body } = await json(`${tenantgate.url}/v1/auth/signup`, {
    method: "POST",
    body: JSON.stringify({ email, password: "a long enough password" }),
  });
  return { email, token: (body.session as { token: string }).token };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tenantgate-example-"));
  tenantgate = await startServer({ DATA_DIR: dataDir, COOKIE_SECURE: "false" });
  const created = await runCli(
    ["service-key", "create", "--name", "projects", "--scope", "check"],
    { env: { DATA_DIR: dataDir } },
  );
  expect(created.code).toBe(0);
  const { token: serviceKey } = JSON.parse(created.stdout) as { token: string };
  example = spawnNode(["--import", "tsx", "examples/projects-service/server.ts"], {
    PORT: "0",
    TENANTGATE_URL: tenantgate.url,
    TENANTGATE_SERVICE_KEY: serviceKey,
  });
  const line = await waitForLine(example, "stdout", (l) => l.includes("listening on"));
  exampleUrl = `http://127.0.0.1:${line.split(" ").at(-1)}`;
}, 60_000);

afterAll(async () => {
  if (example) await stopProcess(example);
  if (tenantgate) await tenantgate.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("the example service lets through exactly what tenantgate allows", async () => {
  const owner = await signUp("owner");
  const viewer = await signUp("viewer");
  const outsider = await signUp("outsider");
  const tenant = await json(`${tenantgate.url}/v1/tenants`, {
    method: "POST",
    token: owner.token,
    body: JSON.stringify({ name: "Example" }),
  });
  const tenantId = (tenant.body.tenant as { id: string }).id;
  const invitation = await json(`${tenantgate.url}/v1/tenants/${tenantId}/invitations`, {
    method: "POST",
    token: owner.token,
    body: JSON.stringify({ email: viewer.email, role: "member" }),
  });
  const accepted = await json(`${tenantgate.url}/v1/invitations/accept`, {
    method: "POST",
    token: viewer.token,
    body: JSON.stringify({ token: (invitation.body.invitation as { token: string }).token }),
  });
  const viewerAccount = (accepted.body.account as { id: string }).id;
  const written = await json(`${tenantgate.url}/v1/relationships`, {
    method: "POST",
    token: owner.token,
    body: JSON.stringify({
      updates: [
        { operation: "touch", relationship: `project:p1#tenant@tenant:${tenantId}` },
        { operation: "touch", relationship: `project:p1#viewer@account:${viewerAccount}` },
      ],
    }),
  });
  expect(written.status).toBe(200);

  expect((await json(`${exampleUrl}/projects/p1`, { token: owner.token })).status).toBe(200);
  expect((await json(`${exampleUrl}/projects/p1`, { token: viewer.token })).status).toBe(200);
  expect(
    (
      await json(`${exampleUrl}/projects/p1`, {
        method: "PUT",
        token: viewer.token,
        body: JSON.stringify({ title: "x" }),
      })
    ).status,
  ).toBe(403);
  const edited = await json(`${exampleUrl}/projects/p1`, {
    method: "PUT",
    token: owner.token,
    body: JSON.stringify({ title: "Renamed" }),
  });
  expect(edited).toMatchObject({ status: 200, body: { title: "Renamed" } });
  // The outsider has no tenant at all; one with a session cookie is read the same way.
  expect((await json(`${exampleUrl}/projects/p1`, { token: outsider.token })).status).toBe(403);
  expect(
    (
      await json(`${exampleUrl}/projects/p1`, {
        headers: { cookie: `tenantgate_session=${viewer.token}` },
      })
    ).status,
  ).toBe(200);
  expect((await json(`${exampleUrl}/projects/p1`)).status).toBe(401);
});

test("when tenantgate is down, the example answers 503 and lets nothing through", async () => {
  const owner = await signUp("late");
  await tenantgate.stop();
  const response = await json(`${exampleUrl}/projects/p1`, { token: owner.token });
  expect(response.status).toBe(503);
});
