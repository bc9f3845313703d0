import type { Store } from "../store/database.js";
import type { UsersTable } from "../store/tables.js";

export interface User {
  id: string;
  email: string;
  name: string | null;
  createdAt: number;
}

export function toUser(row: UsersTable): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.created_at };
}

/** Emails compare case-insensitively and without surrounding space; stored in this form. */
export function normaliseEmail(email: string): string {
  return email.trim().normalize("NFKC").toLowerCase();
}

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
