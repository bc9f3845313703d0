import { expect, test } from "vitest";
import { runCli, startServer } from "../support/processes.js";
import { tempDirForTest } from "../support/temp-dir.js";

test("operators create users and service keys while the server runs; keys are listed without secrets and revoked at once", async () => {
  const dataDir = tempDirForTest("identity-cli");
  const server = await startServer({ DATA_DIR: dataDir });
  try {
    const created = await runCli(
      ["user", "create", "--email", "Ops@Example.com", "--password-stdin", "--name", "Ops"],
      { env: { DATA_DIR: dataDir }, input: "a long operator password\n" },
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: "ops@example.com" });
    const login = await fetch(`${server.url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ops@example.com", password: "a long operator password" }),
    });
    expect(login.status).toBe(200);

    const short = await runCli(["user", "create", "--email", "x@example.com", "--password-stdin"], {
      env: { DATA_DIR: dataDir },
      input: "short",
    });
    expect(short.code).toBe(2);

    const key = await runCli(["service-key", "create", "--name", "billing", "--scope", "check"], {
      env: { DATA_DIR: dataDir },
    });
    expect(key.code).toBe(0);
    const { token, id } = JSON.parse(key.stdout) as { token: string; id: string };
    expect(token).toMatch(/^tgs_/);
    const ask = () =>
      fetch(`${server.url}/v1/check`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ resource: "project:p", permission: "view", subject: "account:a" }),
      });
    expect((await ask()).status).toBe(200);

    const listed = await runCli(["service-key", "list"], { env: { DATA_DIR: dataDir } });
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(token.split(".")[1]);

    expect(
      (await runCli(["service-key", "revoke", "billing"], { env: { DATA_DIR: dataDir } })).code,
    ).toBe(0);
    expect((await ask()).status).toBe(401);
    expect(
      (
        await runCli(["service-key", "create", "--name", "x", "--scope", "admin"], {
          env: { DATA_DIR: dataDir },
        })
      ).code,
    ).toBe(2);
  } finally {
    await server.stop();
  }
});

test("the audit log exports as JSON lines, filtered by tenant", async () => {
  const dataDir = tempDirForTest("audit-cli");
  const server = await startServer({ DATA_DIR: dataDir });
  let tenantId: string;
  try {
    const signup = await fetch(`${server.url}/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "audit@example.com", password: "audit password 123" }),
    });
    const token = ((await signup.json()) as { session: { token: string } }).session.token;
    const tenant = await fetch(`${server.url}/v1/tenants`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "Audited" }),
    });
    tenantId = ((await tenant.json()) as { tenant: { id: string } }).tenant.id;
  } finally {
    await server.stop();
  }
  const exported = await runCli(["audit", "export", "--tenant", tenantId], {
    env: { DATA_DIR: dataDir },
  });
  expect(exported.code).toBe(0);
  const lines = exported.stdout
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as { action: string; tenantId: string; updates: { relationship: string }[] },
    );
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ action: "tenant.create", tenantId });
  const written = lines[0]?.updates.map((u) => u.relationship) ?? [];
  expect(written.some((r) => new RegExp(`^tenant:${tenantId}#owner@account:acc_`).test(r))).toBe(
    true,
  );
});
