import type { Store } from "../data/database.js";
import type { RolesTable } from "../data/tables.js";

/** The custom roles' rows (their grants and members live in SpiceDB). */

export function getRole(
  store: Store,
  tenantId: string,
  roleId: string,
): Promise<RolesTable | undefined> {
  return store
    .selectFrom("roles")
    .selectAll()
    .where("id", "=", roleId)
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
}

export async function roleNameTaken(
  store: Store,
  tenantId: string,
  name: string,
): Promise<boolean> {
  const row = await store
    .selectFrom("roles")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("name", "=", name)
    .executeTakeFirst();
  return row !== undefined;
}

export function listTenantRoles(store: Store, tenantId: string): Promise<RolesTable[]> {
  return store
    .selectFrom("roles")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .orderBy("name")
    .execute();
}

export async function insertRole(store: Store, row: RolesTable): Promise<void> {
  await store.insertInto("roles").values(row).execute();
}

export async function deleteRoleRow(store: Store, id: string): Promise<void> {
  await store.deleteFrom("roles").where("id", "=", id).execute();
}
