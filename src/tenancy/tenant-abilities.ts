import { v1 } from "@authzed/authzed-node";
import type { UserActionContext } from "../http/action-context.js";
import { deployedOutline } from "../schema/deployed-outline.js";
import { actingAccount } from "./active-account.js";
import { MEMBERSHIP_ROLES, membershipRoles } from "./membership.js";

/**
 * The tenancy vocabulary clients should use instead of spelling it themselves: the membership
 * roles, highest first. (Issue 12 moves these into configuration; clients asking here keep
 * working.)
 */
export function tenancyVocabulary() {
  return { roles: [...MEMBERSHIP_ROLES] };
}

/**
 * What the caller's own account may do on its tenant: every permission of the schema's `tenant`
 * definition, each answered by SpiceDB in one bulk check. A client shows or hides its controls
 * by these; the API still decides each action by itself.
 */
export async function tenantAbilities({
  ctx,
  input,
}: {
  ctx: UserActionContext;
  input: { tenantId: string };
}) {
  const account = await actingAccount(ctx, input.tenantId);
  const { engine } = ctx.services;
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
    membershipRoles(engine, input.tenantId, account.id),
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
