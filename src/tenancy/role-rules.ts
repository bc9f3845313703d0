import { requirePermission } from "../authz/permission.js";
import { ConflictError, ValidationError } from "../lib/errors.js";
import type { Services } from "../services.js";
import type { TenancyConfig } from "./tenancy-config.js";

/** Refuses, naming the field, a role the tenancy configuration does not have. */
export function assertRole(tenancy: TenancyConfig, role: string, field = "role"): void {
  if (!tenancy.roleNames.includes(role)) {
    throw new ValidationError(
      `${field}: ${role} is not a role here; expected one of ${tenancy.roleNames.join(", ")}`,
      field,
      "unknown_role",
    );
  }
}

/** The permission on the tenant that gives or takes `role`. */
export function managePermission(tenancy: TenancyConfig, role: string): string {
  const found = [
    ...tenancy.tenant.roles,
    ...(tenancy.tenant.guest ? [tenancy.tenant.guest] : []),
  ].find((r) => r.name === role);
  if (!found) throw new Error(`no such role ${role}`);
  return found.manage;
}

/**
 * Refuses (403 naming the permission) unless the account may give or take every one of `roles`
 * in the tenant: an admin who may manage members does not thereby make owners.
 */
export async function requireManage(
  services: Services,
  tenantId: string,
  accountId: string,
  roles: string[],
): Promise<void> {
  const permissions = new Set(roles.map((role) => managePermission(services.tenancy, role)));
  for (const permission of permissions) {
    await requirePermission(services.engine, {
      resource: `tenant:${tenantId}`,
      permission,
      subject: `account:${accountId}`,
    });
  }
}

/** The highest role, which a tenant never loses its last holder of. */
export function topRole(tenancy: TenancyConfig): string {
  return tenancy.tenant.roles[0]?.name as string;
}

/** Refuses to leave the tenant without a holder of the highest role. */
export function assertAnotherTopHolder(
  tenancy: TenancyConfig,
  roles: Map<string, string[]>,
  accountId: string,
): void {
  const top = topRole(tenancy);
  const others = [...roles].filter(([id, r]) => id !== accountId && r.includes(top));
  if (others.length === 0) {
    throw new ConflictError(
      `a tenant keeps at least one ${top}; make someone else ${top} first`,
      "last_owner",
    );
  }
}
