import type { ActionContext } from "../action-context.js";
import { requireUser } from "../auth/actor.js";
import type { User } from "../auth/store.js";
import type { ViewAs } from "../operator/view-as.js";
import { confirmActiveAccount } from "./active-account.js";
import { membershipRoles } from "./membership.js";
import { listUserAccounts } from "./store.js";

export interface SessionView {
  user: User;
  activeAccount: { id: string; tenantId: string } | null;
  /** Every account of the user whose membership SpiceDB confirms, with its roles. */
  accounts: {
    id: string;
    tenant: { id: string; name: string; kind: "personal" | "sandbox" | null };
    roles: string[];
  }[];
  expiresAt: number;
  /** An operator of the installation (never while viewing as an account). */
  operator: boolean;
  /** Set while an operator views read-only as this account (operator/view-as.ts). */
  viewAs: ViewAs | null;
}

/**
 * The session as its user sees it: who they are, the account they act as now (if SpiceDB still
 * confirms it), and every tenant they belong to with their roles there.
 */
export async function describeSession({ ctx }: { ctx: ActionContext }): Promise<SessionView> {
  const actor = requireUser(ctx);
  const { services } = ctx;
  const { viewAs } = actor;
  const [active, all] = await Promise.all([
    confirmActiveAccount(services, actor.user.id, actor.session.activeAccountId),
    listUserAccounts(services.store, actor.user.id),
  ]);
  // Viewing as an account shows that account's tenant only.
  const accounts = viewAs ? all.filter((a) => a.id === viewAs.accountId) : all;
  const withRoles = await Promise.all(
    accounts.map(async (a) => ({
      id: a.id,
      tenant: {
        id: a.tenantId,
        name: a.tenantName,
        kind: a.tenantKind as "personal" | "sandbox" | null,
      },
      roles:
        (await membershipRoles(services.engine, services.tenancy, a.tenantId, a.id)).get(a.id) ??
        [],
    })),
  );
  return {
    user: actor.user,
    activeAccount: active ? { id: active.id, tenantId: active.tenantId } : null,
    accounts: withRoles.filter((a) => a.roles.length > 0),
    expiresAt: actor.session.expiresAt,
    operator: !viewAs && actor.user.operator,
    viewAs: viewAs ?? null,
  };
}
