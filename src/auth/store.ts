import type { Store } from "../data/database.js";
import type { ServiceKeysTable, SessionsTable, UsersTable } from "../data/tables.js";

/** The queries of authentication: users, sessions and service keys. */

export interface User {
  id: string;
  email: string;
  name: string | null;
  createdAt: number;
  /** An operator of this installation (`tenantgate user create --operator`). */
  operator: boolean;
}

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    createdAt: row.created_at,
    operator: Boolean(row.operator),
  };
}

/** Emails compare case-insensitively and without surrounding space; stored in this form. */
export function normaliseEmail(email: string): string {
  return email.trim().normalize("NFKC").toLowerCase();
}

// Users

export async function getUserById(store: Store, id: string): Promise<User | undefined> {
  const row = await store.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function getUserRowByEmail(
  store: Store,
  email: string,
): Promise<UsersTable | undefined> {
  return store
    .selectFrom("users")
    .selectAll()
    .where("email", "=", normaliseEmail(email))
    .executeTakeFirst();
}

export async function insertUser(store: Store, row: UsersTable): Promise<User> {
  await store.insertInto("users").values(row).execute();
  return toUser(row);
}

export async function updatePasswordHash(
  store: Store,
  userId: string,
  passwordHash: string,
  now: number,
): Promise<void> {
  await store
    .updateTable("users")
    .set({ password_hash: passwordHash, password_changed_at: now })
    .where("id", "=", userId)
    .execute();
}

// Sessions

export async function insertSession(store: Store, row: SessionsTable): Promise<void> {
  await store.insertInto("sessions").values(row).execute();
}

/** A session row with its user and the account it has active, in one query (every request). */
export function getSessionWithUser(store: Store, id: string) {
  return store
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .leftJoin("accounts", "accounts.id", "sessions.active_account_id")
    .selectAll("sessions")
    .select([
      "users.email as user_email",
      "users.name as user_name",
      "users.created_at as user_created_at",
      "users.operator as user_operator",
      "accounts.tenant_id as account_tenant_id",
      "accounts.user_id as account_user_id",
      "accounts.disabled_at as account_disabled_at",
    ])
    .where("sessions.id", "=", id)
    .executeTakeFirst();
}

export async function renewSession(
  store: Store,
  id: string,
  expiresAt: number,
  now: number,
): Promise<void> {
  await store
    .updateTable("sessions")
    .set({ expires_at: expiresAt, last_used_at: now })
    .where("id", "=", id)
    .execute();
}

export async function deleteSession(store: Store, sessionId: string): Promise<void> {
  await store.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

/** Deletes a user's sessions, but the one kept (if any); returns how many. */
export async function deleteUserSessions(
  store: Store,
  userId: string,
  keepSessionId?: string,
): Promise<number> {
  let query = store.deleteFrom("sessions").where("user_id", "=", userId);
  if (keepSessionId) query = query.where("id", "!=", keepSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A user's live sessions, newest first. */
export function listUserSessionRows(
  store: Store,
  userId: string,
  now: number,
): Promise<SessionsTable[]> {
  return store
    .selectFrom("sessions")
    .selectAll()
    .where("user_id", "=", userId)
    .where("expires_at", ">", now)
    .where("absolute_expires_at", ">", now)
    .orderBy("created_at", "desc")
    .execute();
}

export async function setActiveAccount(
  store: Store,
  sessionId: string,
  accountId: string | null,
): Promise<void> {
  await store
    .updateTable("sessions")
    .set({ active_account_id: accountId })
    .where("id", "=", sessionId)
    .execute();
}

/** Drops sessions past either expiry; run periodically. */
export async function deleteExpiredSessions(store: Store, now: number): Promise<number> {
  const result = await store
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("absolute_expires_at", "<=", now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// Service keys

export async function insertServiceKey(store: Store, row: ServiceKeysTable): Promise<void> {
  await store.insertInto("service_keys").values(row).execute();
}

export function getServiceKeyRow(store: Store, id: string): Promise<ServiceKeysTable | undefined> {
  return store.selectFrom("service_keys").selectAll().where("id", "=", id).executeTakeFirst();
}

export function listServiceKeyRows(store: Store): Promise<ServiceKeysTable[]> {
  return store.selectFrom("service_keys").selectAll().orderBy("created_at").execute();
}

/** Revokes live keys by id, or by id or name (the CLI's way); returns how many. */
export async function revokeServiceKeyRows(
  store: Store,
  match: { id: string } | { idOrName: string },
  now: number,
): Promise<number> {
  const result = await store
    .updateTable("service_keys")
    .set({ revoked_at: now })
    .where((eb) =>
      "id" in match
        ? eb("id", "=", match.id)
        : eb.or([eb("id", "=", match.idOrName), eb("name", "=", match.idOrName)]),
    )
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
