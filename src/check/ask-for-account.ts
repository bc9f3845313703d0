import type { ActionContext } from "../action-context.js";
import { requirePermission } from "../authz/permission.js";
import { NotFoundError } from "../lib/errors.js";
import { actingAccount } from "../tenancy/active-account.js";
import { getAccount } from "../tenancy/store.js";
import type { ResolvedSubject } from "./subject.js";

/**
 * The subject of a question asked in a tenant for one of its accounts: the caller's own account
 * (any member), or another enabled account of the tenant (the tenant's managers only). Its
 * membership is checked with the question, as for every account; caveat context is the
 * caller's to choose ("could Bob view it from the office network?"), unlike a session asking
 * for itself.
 */
export async function subjectInTenant(
  ctx: ActionContext,
  input: { tenantId: string; accountId?: string | undefined },
): Promise<ResolvedSubject> {
  const asker = await actingAccount(ctx, input.tenantId);
  const own = input.accountId === undefined || input.accountId === asker.id;
  if (!own) {
    await requirePermission(ctx.services.engine, {
      resource: `tenant:${input.tenantId}`,
      // The answers (and their explain traces) show another account's grants: tenancy.yaml's
      // tenant.permissions.askAboutMembers decides who may see them (default: manage).
      permission: ctx.services.tenancy.tenant.permissions.askAboutMembers,
      subject: `account:${asker.id}`,
    });
  }
  const accountId = own ? asker.id : (input.accountId as string);
  if (!own) {
    const target = await getAccount(ctx.services.store, accountId);
    if (!target || target.tenantId !== input.tenantId || target.disabled)
      throw new NotFoundError(
        `account ${accountId} is not a member of tenant ${input.tenantId}`,
        "member_not_found",
      );
  }
  return {
    subject: `account:${accountId}`,
    reference: { object: { objectType: "account", objectId: accountId }, optionalRelation: "" },
    tenantId: input.tenantId,
    membership: { tenantId: input.tenantId, accountId },
    fromSession: own,
  };
}
