/**
 * The data of the mixed benchmark, in SpiceDB's relationship syntax, shaped like real use of
 * schema.zed and scaled by one number (the relationship count):
 *
 * - tenants of ~10,000 relationships each (one tenant below that size);
 * - per tenant: accounts (each linked to its tenant and user, and holding one of owner, admin or
 *   member), two custom roles (one granting view, one edit on every project of the tenant, three
 *   assignees each), and projects, each with its tenant link, an owner, two editors (every fourth
 *   project's second editor is a role's assignees) and six viewers.
 *
 * No caveats or expirations: the peers (OpenFGA) hold the very same tuples without them.
 */

export interface Member {
  tenant: string;
  account: string;
  user: string;
}

export interface Shape {
  relationships: string[];
  tenants: { id: string; accounts: number; projects: number }[];
  /** Every account of every tenant (rows in the identity store). */
  accounts: Member[];
  /** The accounts that get a session and ask questions: ordinary members, round-robin over tenants. */
  members: Member[];
  /** The owner of the first tenant: the admin who grants and revokes during the run. */
  admin: Member;
  /**
   * Viewer grants the admin may add and remove (a pair not in the seed: a member with a session
   * and a project of the admin's tenant), so that the writes change answers being asked.
   */
  grants: string[];
}

const TENANT_SIZE = 10_000;
const PER_PROJECT = 10;
const ROLE_RELATIONSHIPS = 12;

function accountsFor(size: number): number {
  return Math.min(100, Math.max(30, Math.floor(size / 100)));
}

export function mixedShape(total: number, memberCount: number): Shape {
  const tenantCount = Math.max(1, Math.round(total / TENANT_SIZE));
  const relationships: string[] = [];
  const tenants: Shape["tenants"] = [];
  const accounts: Member[] = [];
  for (let t = 0; t < tenantCount; t++) {
    const size = Math.floor(total / tenantCount) + (t < total % tenantCount ? 1 : 0);
    const accountCount = accountsFor(size);
    const tenant = `t${t}`;
    const account = (a: number) => `account:${tenant}_a${a}`;
    const start = relationships.length;
    for (let a = 0; a < accountCount; a++) {
      const user = `u${t}_${a}`;
      accounts.push({ tenant, account: `${tenant}_a${a}`, user });
      relationships.push(
        `${account(a)}#tenant@tenant:${tenant}`,
        `${account(a)}#user@user:${user}`,
        `tenant:${tenant}#${a === 0 ? "owner" : a < 3 ? "admin" : "member"}@${account(a)}`,
      );
    }
    const grants = ["grant_project_view", "grant_project_edit"];
    grants.forEach((grant, r) => {
      const role = `role:${tenant}_r${r}`;
      relationships.push(
        `${role}#tenant@tenant:${tenant}`,
        `tenant:${tenant}#role@${role}`,
        `${role}#${grant}@account:*`,
      );
      for (let i = 0; i < 3; i++) relationships.push(`${role}#assignee@${account(3 + r * 3 + i)}`);
    });
    const projectCount = Math.floor((size - accountCount * 3 - ROLE_RELATIONSHIPS) / PER_PROJECT);
    for (let p = 0; p < projectCount; p++) {
      const project = `project:${tenant}_p${p}`;
      relationships.push(
        `${project}#tenant@tenant:${tenant}`,
        `${project}#owner@${account(p % accountCount)}`,
        `${project}#editor@${account((p * 3 + 1) % accountCount)}`,
        p % 4 === 0
          ? `${project}#editor@role:${tenant}_r1#assignee`
          : `${project}#editor@${account((p * 5 + 2) % accountCount)}`,
      );
      const viewers = new Set<number>();
      for (let v = 1; viewers.size < 6; v++) viewers.add((p * 7 + v * 13) % accountCount);
      for (const v of viewers) relationships.push(`${project}#viewer@${account(v)}`);
    }
    // Up to PER_PROJECT - 1 left over: more viewers on the first projects, to hit the count.
    const here = new Set(relationships.slice(start));
    for (let extra = 0; relationships.length - start < size && extra < projectCount; extra++) {
      const text = `project:${tenant}_p${extra}#viewer@${account(accountCount - 1)}`;
      if (!here.has(text)) relationships.push(text);
    }
    tenants.push({ id: tenant, accounts: accountCount, projects: projectCount });
  }

  // Members with sessions: ordinary members (a9 onwards: not owner, admin or role assignee for the
  // first ones), spread over the tenants so that every tenant's projects are asked about.
  const members: Member[] = [];
  for (let i = 0; i < memberCount; i++) {
    const t = i % tenantCount;
    const index = 9 + Math.floor(i / tenantCount);
    const tenant = tenants[t];
    if (!tenant || index >= tenant.accounts)
      throw new Error(`not enough accounts for ${memberCount} members`);
    members.push({ tenant: tenant.id, account: `${tenant.id}_a${index}`, user: `u${t}_${index}` });
  }

  const seeded = new Set(relationships);
  const first = tenants[0] as Shape["tenants"][number];
  const grants: string[] = [];
  const askers = members.filter((m) => m.tenant === first.id);
  for (let p = 0; grants.length < 10_000 && p < first.projects * 4; p++) {
    const member = askers[p % askers.length] as Member;
    const text = `project:${first.id}_p${(p * 37) % first.projects}#viewer@account:${member.account}`;
    if (!seeded.has(text)) grants.push(text);
  }
  return {
    relationships,
    tenants,
    accounts,
    members,
    admin: { tenant: first.id, account: `${first.id}_a0`, user: "u0_0" },
    grants: [...new Set(grants)],
  };
}

/** `project:p1#editor@role:r1#assignee` → OpenFGA's tuple key. */
export function toTupleKey(text: string): { user: string; relation: string; object: string } {
  const hash = text.indexOf("#");
  const at = text.indexOf("@", hash);
  return {
    object: text.slice(0, hash),
    relation: text.slice(hash + 1, at),
    user: text.slice(at + 1),
  };
}
