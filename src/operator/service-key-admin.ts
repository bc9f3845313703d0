import type { ActionContext } from "../action-context.js";
import { auditRow } from "../audit/audit-record.js";
import { appendAuditRow } from "../audit/store.js";
import {
  createServiceKey,
  listServiceKeys,
  revokeServiceKey,
  type ServiceKeyScope,
} from "../auth/service-keys.js";
import { getServiceKeyRow } from "../auth/store.js";
import { NotFoundError } from "../lib/errors.js";
import { requireOperator } from "./require-operator.js";

/** Service keys, as the CLI's `service-key` commands, for operators in the console. */

const operatorAudit = (ctx: ActionContext, action: string) => ({
  tenantId: null,
  actorType: "operator" as const,
  actorId: requireOperator(ctx).user.id,
  accountId: null,
  ip: ctx.ip,
  action,
  at: ctx.services.clock(),
});

export async function listKeys({ ctx }: { ctx: ActionContext }) {
  requireOperator(ctx);
  return listServiceKeys(ctx.services.store);
}

/** Creates a key; its token is in this answer only (the store keeps a hash). */
export async function createKey({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { name: string; scope: ServiceKeyScope };
}) {
  requireOperator(ctx);
  const { store, clock } = ctx.services;
  return store.transaction().execute(async (tx) => {
    const created = await createServiceKey(tx, input, clock());
    await appendAuditRow(
      tx,
      auditRow(
        operatorAudit(ctx, "service_key.create"),
        { serviceKey: { id: created.key.id, name: created.key.name, scope: created.key.scope } },
        undefined,
      ),
    );
    return created;
  });
}

/** Revokes a key by id, at once. */
export async function revokeKey({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { keyId: string };
}): Promise<void> {
  requireOperator(ctx);
  const { store, clock } = ctx.services;
  await store.transaction().execute(async (tx) => {
    const key = await getServiceKeyRow(tx, input.keyId);
    if (!key || key.revoked_at !== null)
      throw new NotFoundError(`no live service key ${input.keyId}`, "service_key_not_found");
    await revokeServiceKey(tx, { id: key.id }, clock());
    await appendAuditRow(
      tx,
      auditRow(
        operatorAudit(ctx, "service_key.revoke"),
        { serviceKey: { id: key.id, name: key.name } },
        undefined,
      ),
    );
  });
}
