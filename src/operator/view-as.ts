import type { ActionContext } from "../action-context.js";
import { auditRow } from "../audit/audit-record.js";
import { appendAuditRow } from "../audit/store.js";
import { NotFoundError } from "../lib/errors.js";
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
    await appendAuditRow(
      tx,
      auditRow(
        {
          tenantId: grant.tenant_id,
          actorType: "operator",
          actorId: operator.user.id,
          accountId: null,
          ip: ctx.ip,
          action: "operator.view_as",
          at: now,
        },
        { viewAs: { id: grant.id, accountId: grant.account_id, reason: grant.reason } },
        undefined,
      ),
    );
  });
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
    await appendAuditRow(
      tx,
      auditRow(
        {
          tenantId: grant.tenant_id,
          actorType: "operator",
          actorId: operator.user.id,
          accountId: null,
          ip: ctx.ip,
          action: "operator.view_as_end",
          at: now,
        },
        { viewAs: { id: grant.id, accountId: grant.account_id } },
        undefined,
      ),
    );
  });
}
