import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.js";

describe("tenants, invitations and members", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ INVITATION_TTL_SECONDS: "3600" });
  });
  afterAll(async () => h.close());

  async function tenantOf(token: string) {
    const { tenantId, accountId } = await h.createTenant(token, "T");
    return { tenant: { id: tenantId }, account: { id: accountId } };
  }
  const invite = (token: string, tenantId: string, email: string, role = "member") =>
    h.request(`/v1/tenants/${tenantId}/invitations`, {
      method: "POST",
      token,
      json: { email, role },
    });
  const accept = (token: string, invitation: string) =>
    h.request("/v1/invitations/accept", { method: "POST", token, json: { token: invitation } });
  const members = async (token: string, tenantId: string) =>
    (
      (await (await h.request(`/v1/tenants/${tenantId}/members`, { token })).json()) as {
        members: { accountId: string; roles: string[] }[];
      }
    ).members;

  test("creating a tenant makes the creator its owner and activates it", async () => {
    const owner = await h.signUp();
    const { tenant, account } = await tenantOf(owner.token);
    const session = (await (await h.request("/v1/session", { token: owner.token })).json()) as {
      activeAccount: { id: string; tenantId: string };
      accounts: { roles: string[] }[];
    };
    expect(session.activeAccount).toEqual({ id: account.id, tenantId: tenant.id });
    expect(session.accounts[0]?.roles).toEqual(["owner"]);
    expect(await members(owner.token, tenant.id)).toMatchObject([
      { accountId: account.id, roles: ["owner"] },
    ]);
  });

  test("an invitation is single use, stored hashed, and only for the invited email", async () => {
    const owner = await h.signUp();
    const { tenant } = await tenantOf(owner.token);
    const invitee = await h.signUp();
    const other = await h.signUp();
    const invitation = (
      (await (await invite(owner.token, tenant.id, invitee.email)).json()) as {
        invitation: { token: string };
      }
    ).invitation.token;
    const stored = JSON.stringify(await h.rows("invitations"));
    expect(stored).not.toContain(invitation);

    const wrongUser = await accept(other.token, invitation);
    expect(wrongUser.status).toBe(403);
    expect((await accept(invitee.token, invitation)).status).toBe(200);
    const again = await accept(invitee.token, invitation);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe("invitation_used");
    expect((await accept(invitee.token, "tgi_nonsense")).status).toBe(404);
  });

  test("an expired invitation is refused", async () => {
    const owner = await h.signUp();
    const { tenant } = await tenantOf(owner.token);
    const invitee = await h.signUp();
    const invitation = (
      (await (await invite(owner.token, tenant.id, invitee.email)).json()) as {
        invitation: { token: string };
      }
    ).invitation.token;
    h.now.ms += 3600 * 1000 + 1;
    const response = await accept(invitee.token, invitation);
    h.now.ms = Date.now();
    expect(response.status).toBe(410);
    expect(((await response.json()) as { code: string }).code).toBe("invitation_expired");
  });

  test.each([
    { role: "member", invite: 403, list: 200 },
    { role: "admin", invite: 201, list: 200 },
    { role: "owner", invite: 201, list: 200 },
  ])("a $role may invite: $invite", async ({ role, invite: expected, list }) => {
    const owner = await h.signUp();
    const { tenant } = await tenantOf(owner.token);
    const member = await h.join(owner.token, tenant.id, role);
    expect((await invite(member.token, tenant.id, `x-${Date.now()}@example.com`)).status).toBe(
      expected,
    );
    expect(
      (await h.request(`/v1/tenants/${tenant.id}/members`, { token: member.token })).status,
    ).toBe(list);
  });

  test("an admin cannot invite an owner or touch an owner; an owner can", async () => {
    const owner = await h.signUp();
    const { tenant, account } = await tenantOf(owner.token);
    const admin = await h.join(owner.token, tenant.id, "admin");
    expect(
      (await invite(admin.token, tenant.id, `o-${Date.now()}@example.com`, "owner")).status,
    ).toBe(403);
    const demote = await h.request(`/v1/tenants/${tenant.id}/members/${account.id}`, {
      method: "PUT",
      token: admin.token,
      json: { role: "member" },
    });
    expect(demote.status).toBe(403);
    const remove = await h.request(`/v1/tenants/${tenant.id}/members/${account.id}`, {
      method: "DELETE",
      token: admin.token,
    });
    expect(remove.status).toBe(403);
    const promote = await h.request(`/v1/tenants/${tenant.id}/members/${admin.accountId}`, {
      method: "PUT",
      token: owner.token,
      json: { role: "owner" },
    });
    expect(promote.status).toBe(200);
  });

  test("the last owner can be neither demoted nor removed", async () => {
    const owner = await h.signUp();
    const { tenant, account } = await tenantOf(owner.token);
    const demote = await h.request(`/v1/tenants/${tenant.id}/members/${account.id}`, {
      method: "PUT",
      token: owner.token,
      json: { role: "admin" },
    });
    expect(demote.status).toBe(409);
    expect(((await demote.json()) as { code: string }).code).toBe("last_owner");
    const remove = await h.request(`/v1/tenants/${tenant.id}/members/${account.id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(remove.status).toBe(409);

    const second = await h.join(owner.token, tenant.id, "owner");
    const nowAllowed = await h.request(`/v1/tenants/${tenant.id}/members/${account.id}`, {
      method: "PUT",
      token: second.token,
      json: { role: "member" },
    });
    expect(nowAllowed.status).toBe(200);
    expect(
      (await members(second.token, tenant.id)).find((m) => m.accountId === account.id)?.roles,
    ).toEqual(["member"]);
  });

  test("concurrent demotions of the two owners leave one owner", async () => {
    const owner = await h.signUp();
    const { tenant, account } = await tenantOf(owner.token);
    const second = await h.join(owner.token, tenant.id, "owner");
    const results = await Promise.all([
      h.request(`/v1/tenants/${tenant.id}/members/${account.id}`, {
        method: "PUT",
        token: second.token,
        json: { role: "member" },
      }),
      h.request(`/v1/tenants/${tenant.id}/members/${second.accountId}`, {
        method: "PUT",
        token: owner.token,
        json: { role: "member" },
      }),
    ]);
    // The loser is refused either as the last owner (409) or, demoted already, as no owner (403).
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const owners = (await members(owner.token, tenant.id)).filter((m) => m.roles.includes("owner"));
    expect(owners).toHaveLength(1);
  });

  test("a removed member can be invited back and gets the same account", async () => {
    const owner = await h.signUp();
    const { tenant } = await tenantOf(owner.token);
    const member = await h.join(owner.token, tenant.id);
    expect(
      (
        await h.request(`/v1/tenants/${tenant.id}/members/${member.accountId}`, {
          method: "DELETE",
          token: owner.token,
        })
      ).status,
    ).toBe(204);
    expect((await members(owner.token, tenant.id)).map((m) => m.accountId)).not.toContain(
      member.accountId,
    );
    const invitation = (
      (await (await invite(owner.token, tenant.id, member.email)).json()) as {
        invitation: { token: string };
      }
    ).invitation.token;
    const accepted = (await (await accept(member.token, invitation)).json()) as {
      account: { id: string };
    };
    expect(accepted.account.id).toBe(member.accountId);
    expect((await members(owner.token, tenant.id)).map((m) => m.accountId)).toContain(
      member.accountId,
    );
  });

  test("members of another tenant learn nothing about this one", async () => {
    const owner = await h.signUp();
    const { tenant } = await tenantOf(owner.token);
    const stranger = await h.signUp();
    await tenantOf(stranger.token);
    expect(
      (await h.request(`/v1/tenants/${tenant.id}/members`, { token: stranger.token })).status,
    ).toBe(403);
    expect((await invite(stranger.token, tenant.id, "x@example.com")).status).toBe(403);
  });
});
