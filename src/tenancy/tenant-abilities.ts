import { v1 } from "@authzed/authzed-node";
import type { ActionContext } from "../action-context.js";
import { deployedOutline } from "../schema/deployed-outline.js";
import { actingAccount } from "./active-account.js";
import { membershipRoles } from "./membership.js";

/**
 * What the caller's own account may do on its tenant: every permission of the schema's `tenant`
 * definition, each answered by SpiceDB in one bulk check. A client shows or hides its controls
 * by these; the API still decides each action by itself.
 */
export async function tenantAbilities({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string };
}) {
  const account = await actingAccount(ctx, input.tenantId);
  const { engine, tenancy } = ctx.services;
  const { outline } = await deployedOutline(engine);
  const permissions = [...(outline.definitions.get("tenant")?.members.values() ?? [])]
    .filter((m) => m.kind === "permission")
    .map((m) => m.name);
  const subject = {
    object: { objectType: "account", objectId: account.id },
    optionalRelation: "",
  };
  const [response, roles] = await Promise.all([
    permissions.length === 0
      ? undefined
      : engine.checkBulkPermissions(
          v1.CheckBulkPermissionsRequest.create({
            items: permissions.map((permission) => ({
              resource: { objectType: "tenant", objectId: input.tenantId },
              permission,
              subject,
            })),
          }),
        ),
    membershipRoles(engine, tenancy, input.tenantId, account.id),
  ]);
  const granted = Object.fromEntries(
    permissions.map((permission, i) => {
      const pair = response?.pairs[i]?.response;
      return [
        permission,
        pair?.oneofKind === "item" &&
          pair.item.permissionship === v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION,
      ];
    }),
  );
  return { accountId: account.id, roles: roles.get(account.id) ?? [], permissions: granted };
}
