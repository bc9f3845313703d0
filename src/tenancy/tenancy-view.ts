import type { ActionContext } from "../action-context.js";
import { requireActor } from "../auth/actor.js";
import { availableGrants } from "../roles/role-grants.js";
import { managePermission } from "./role-rules.js";

/**
 * The tenancy model as clients need it (the console offers these names; nothing is hard-coded
 * there): membership roles highest first, the guest relation, the custom roles' grants, the
 * installation's types and user attributes, the personal workspace mode, and which tenant
 * permission stands behind each administrative power (a client asks GET
 * /v1/tenants/{id}/permissions and shows the controls those permissions allow).
 */
export async function describeTenancy({ ctx }: { ctx: ActionContext }) {
  requireActor(ctx);
  const { tenancy } = ctx.services;
  return {
    roles: tenancy.tenant.roles.map((r) => r.name),
    guest: tenancy.tenant.guest?.name ?? null,
    creatorRole: tenancy.creatorRole,
    customRoles: tenancy.customRoles
      ? { grants: await availableGrants(ctx, tenancy.customRoles) }
      : null,
    installation: {
      types: tenancy.installation.types,
      userAttributes: tenancy.installation.userAttributes,
    },
    personalWorkspace: tenancy.personalWorkspace.mode,
    permissions: {
      ...tenancy.tenant.permissions,
      invite: managePermission(tenancy, tenancy.roleNames.at(-1) as string),
      manageRole: Object.fromEntries(
        tenancy.roleNames.map((role) => [role, managePermission(tenancy, role)]),
      ),
    },
  };
}
