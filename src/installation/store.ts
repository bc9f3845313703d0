import type { Store } from "../data/database.js";

/** Attributes of a person (`platform:main#admin`), each written for every account they have. */

export async function userAttributes(store: Store, userId: string): Promise<string[]> {
  const rows = await store
    .selectFrom("user_attributes")
    .select("attribute")
    .where("user_id", "=", userId)
    .orderBy("attribute")
    .execute();
  return rows.map((r) => r.attribute);
}

/** Records an attribute; false when the user had it already. */
export async function addUserAttribute(
  store: Store,
  userId: string,
  attribute: string,
  now: number,
): Promise<boolean> {
  const inserted = await store
    .insertInto("user_attributes")
    .values({ user_id: userId, attribute, created_at: now })
    .onConflict((oc) => oc.doNothing())
    .returning("attribute")
    .execute();
  return inserted.length > 0;
}

export async function removeUserAttribute(
  store: Store,
  userId: string,
  attribute: string,
): Promise<void> {
  await store
    .deleteFrom("user_attributes")
    .where("user_id", "=", userId)
    .where("attribute", "=", attribute)
    .execute();
}

/** Every account the user has or had (disabled ones too: removing reaches them all). */
export async function userAccountIds(
  store: Store,
  userId: string,
  enabledOnly: boolean,
): Promise<string[]> {
  let query = store.selectFrom("accounts").select("id").where("user_id", "=", userId);
  if (enabledOnly) query = query.where("disabled_at", "is", null);
  return (await query.execute()).map((r) => r.id);
}
