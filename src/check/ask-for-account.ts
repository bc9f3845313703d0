import { requirePermission } from "../authz/permission.js";
import type { UserActionContext } from "../http/action-context.js";
import { NotFoundError } from "../lib/errors.js";
import { actingAccount } from "../tenancy/active-account.js";
import { getAccount } from "../tenancy/store.js";
import type { ResolvedSubject } from "./subject.js";

/**
 * The tenant permission that lets an account ask questions about the tenant's other accounts.
 * NOTE: the answers (and their explain traces) show another account's grants, which is what
 * the tenant's managers see anyway when they edit relationships, so the same permission
 * decides. Issue 12 moves this name into the tenancy configuration.
 */
export const ASK_FOR_OTHERS_PERMISSION = "manage";

/**
 * The subject of a question asked in a tenant for one of its accounts: the caller's own account
 * (any member), or another enabled account of the tenant (the tenant's managers only). Its
 * membership is checked with the question, as for every account; caveat context is the
 * caller's to choose ("could Bob view it from the office network?"), unlike a session asking
 * for itself.
 */
export async function subjectInTenant(
  ctx: UserActionContext,
  input: { tenantId: string; accountId?: string | undefined },
): Promise<ResolvedSubject> {
  const asker = await actingAccount(ctx, input.tenantId);
  const own = input.accountId === undefined || input.accountId === asker.id;
  if (!own) {
    await requirePermission(ctx.services.engine, {
      resource: `tenant:${input.tenantId}`,
      permission: ASK_FOR_OTHERS_PERMISSION,
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
