import { v1 } from "@authzed/authzed-node";
import type { ActionContext } from "../action-context.js";
import { getUserById } from "../auth/store.js";
import { parseRelationship } from "../authz/relationship-syntax.js";
import { NotFoundError, ValidationError } from "../lib/errors.js";
import { installationWriter } from "./installation-writer.js";
import { addUserAttribute, removeUserAttribute, userAccountIds, userAttributes } from "./store.js";

const BATCH = 1000; // SpiceDB's limit of updates per write

/**
 * Attributes of a person, not of one account (`platform:main#admin`: an installation admin):
 * kept per user and written as `<attribute>@account:A` for every account A of the user, those
 * made later included (an account's first write carries them), and removed from all together.
 * Operators and write-scoped service keys set them; the attributes are those tenancy.yaml lists.
 */

async function knownUser(ctx: ActionContext, userId: string): Promise<void> {
  if (!(await getUserById(ctx.services.store, userId)))
    throw new NotFoundError(`no user ${userId}`, "user_not_found");
}

function knownAttribute(ctx: ActionContext, attribute: string): void {
  const allowed = ctx.services.tenancy.installation.userAttributes;
  if (!allowed.includes(attribute)) {
    throw new ValidationError(
      `attribute: ${attribute} is not a user attribute here; expected one of ${allowed.join(", ") || "(none configured)"}`,
      "attribute",
      "unknown_attribute",
    );
  }
}

export async function listUserAttributes({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { userId: string };
}): Promise<string[]> {
  installationWriter(ctx);
  await knownUser(ctx, input.userId);
  return userAttributes(ctx.services.store, input.userId);
}

/** Gives a user an attribute on every account they have (and will have). */
export async function setUserAttribute({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { userId: string; attribute: string; present: boolean };
}): Promise<void> {
  const writer = installationWriter(ctx);
  knownAttribute(ctx, input.attribute);
  await knownUser(ctx, input.userId);
  const { store, engine, clock } = ctx.services;
  // The row first, the accounts' relationships next: an account made meanwhile either is listed
  // below or reads the row when its own membership is written.
  if (input.present) await addUserAttribute(store, input.userId, input.attribute, clock());
  else await removeUserAttribute(store, input.userId, input.attribute);
  const accounts = await userAccountIds(store, input.userId, input.present);
  const operation = input.present
    ? v1.RelationshipUpdate_Operation.TOUCH
    : v1.RelationshipUpdate_Operation.DELETE;
  const audit = {
    ...writer,
    action: input.present ? "user.attribute.add" : "user.attribute.remove",
    at: clock(),
  };
  for (let i = 0; i < Math.max(accounts.length, 1); i += BATCH) {
    const batch = accounts.slice(i, i + BATCH);
    if (batch.length === 0) break;
    await engine.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: batch.map((account) => ({
          operation,
          relationship: parseRelationship(`${input.attribute}@account:${account}`),
        })),
      }),
      { audit },
    );
  }
}
