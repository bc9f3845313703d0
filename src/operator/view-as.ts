import type { ActionContext } from "../action-context.js";
import { auditRow } from "../audit/audit-record.js";
import { appendAuditRow } from "../audit/store.js";
import type { Actor } from "../auth/actor.js";
import type { Store } from "../data/database.js";
import type { ViewAsGrantsTable } from "../data/tables.js";
import { ForbiddenError, NotFoundError } from "../lib/errors.js";
import { secureRandomString } from "../lib/secure-random.js";
import { requireOperator } from "./require-operator.js";
import { endViewAsGrant, insertViewAsGrant, liveViewAsGrant, viewedAccount } from "./store.js";

/** How long a view-as grant lasts unless ended first. */
export const VIEW_AS_TTL_MS = 60 * 60 * 1000;

/** What a request made under a view-as grant carries (see view-as-middleware.ts). */
export interface ViewAs {
  id: string;
  operatorUserId: string;
  accountId: string;
  tenantId: string;
  reason: string;
  expiresAt: number;
}

/**
 * Starts an operator's read-only look at the console as one account sees it. The reason is
 * recorded, and the viewed tenant's audit log gets an entry its admins can read: an operator's
 * look is never invisible to the tenant.
 */
export async function startViewAs({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { accountId: string; reason: string };
}): Promise<ViewAs> {
  const operator = requireOperator(ctx);
  const { store, clock } = ctx.services;
  const viewed = await viewedAccount(store, input.accountId);
  if (!viewed)
    throw new NotFoundError(`no enabled account ${input.accountId}`, "account_not_found");
  const now = clock();
  const grant = {
    id: `vas_${secureRandomString()}`,
    operator_user_id: operator.user.id,
    account_id: viewed.account.id,
    tenant_id: viewed.account.tenantId,
    reason: input.reason,
    created_at: now,
    expires_at: now + VIEW_AS_TTL_MS,
    ended_at: null,
  };
  await store.transaction().execute(async (tx) => {
    await insertViewAsGrant(tx, grant);
    await auditInViewedTenant(tx, ctx, grant, "operator.view_as", now, { reason: grant.reason });
  });
  return viewAsOf(grant);
}

/**
 * A look through one account is a look at one tenant: the viewed person's other tenants never
 * learn of it (their audit logs have no entry), so naming one is refused.
 */
export function refuseOtherTenantWhileViewing(actor: Actor | undefined, tenantId: string): void {
  if (actor?.kind === "user" && actor.viewAs && actor.viewAs.tenantId !== tenantId)
    throw new ForbiddenError(
      "viewing as an account shows that account's tenant only",
      "view_as_other_tenant",
    );
}

/** A stored grant as requests carry it. */
export function viewAsOf(grant: ViewAsGrantsTable): ViewAs {
  return {
    id: grant.id,
    operatorUserId: grant.operator_user_id,
    accountId: grant.account_id,
    tenantId: grant.tenant_id,
    reason: grant.reason,
    expiresAt: grant.expires_at,
  };
}

/** Ends a view-as grant of the operator's (recorded in the viewed tenant's audit log too). */
export async function endViewAs({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { viewAsId: string };
}): Promise<void> {
  const operator = requireOperator(ctx);
  const { store, clock } = ctx.services;
  const now = clock();
  const grant = await liveViewAsGrant(store, input.viewAsId, operator.user.id, now);
  if (!grant) throw new NotFoundError(`no live view-as ${input.viewAsId}`, "view_as_not_found");
  await store.transaction().execute(async (tx) => {
    await endViewAsGrant(tx, grant.id, now);
    await auditInViewedTenant(tx, ctx, grant, "operator.view_as_end", now);
  });
}

/** An entry in the viewed tenant's audit log, which its admins read. */
function auditInViewedTenant(
  tx: Store,
  ctx: ActionContext,
  grant: ViewAsGrantsTable,
  action: string,
  at: number,
  extra: { reason?: string } = {},
): Promise<void> {
  return appendAuditRow(
    tx,
    auditRow(
      {
        tenantId: grant.tenant_id,
        actorType: "operator",
        actorId: grant.operator_user_id,
        accountId: null,
        ip: ctx.ip,
        action,
        at,
      },
      { viewAs: { id: grant.id, accountId: grant.account_id, ...extra } },
      undefined,
    ),
  );
}
