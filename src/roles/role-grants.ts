import type { ActionContext } from "../action-context.js";
import { NotFoundError } from "../lib/errors.js";
import { deployedOutline } from "../schema/deployed-outline.js";
import type { TenancyConfig } from "../tenancy/tenancy-config.js";

export type CustomRoles = NonNullable<TenancyConfig["customRoles"]>;

/** The custom roles' configuration; a 404 when the tenancy configuration has none. */
export function customRoles(ctx: ActionContext): CustomRoles {
  const config = ctx.services.tenancy.customRoles;
  if (!config)
    throw new NotFoundError("this installation defines no custom roles", "custom_roles_disabled");
  return config;
}

/**
 * The grants a custom role can carry, read from the deployed schema: every relation of the role
 * type named `<grantPrefix><name>` (by convention `grant_<type>_<permission>`, so a grant exists
 * for any type the schema gives one). Adding a grant to the schema makes it available here.
 */
export async function availableGrants(ctx: ActionContext, roles: CustomRoles): Promise<string[]> {
  const { outline } = await deployedOutline(ctx.services.engine);
  const definition = outline.definitions.get(roles.type);
  return [...(definition?.members.values() ?? [])]
    .filter((m) => m.kind === "relation" && m.name.startsWith(roles.grantPrefix))
    .map((m) => m.name.slice(roles.grantPrefix.length))
    .sort();
}

export const grantRelation = (roles: CustomRoles, grant: string) => `${roles.grantPrefix}${grant}`;

export function grantOf(roles: CustomRoles, relation: string): string | undefined {
  return relation.startsWith(roles.grantPrefix)
    ? relation.slice(roles.grantPrefix.length)
    : undefined;
}
