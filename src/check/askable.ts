import type { ActionContext } from "../action-context.js";
import type { MemberKind } from "../authz/schema-members.js";
import { ValidationError } from "../lib/errors.js";
import type { ResolvedSubject } from "./subject.js";

/**
 * Refuses a question about a relation when it is asked for an end user's account.
 *
 * NOTE: the schema keeps tenants apart through its permissions, each intersected with tenant
 * membership; relations are raw data (`role:r1#grant_project_edit@account:*` holds for every
 * account of every tenant). Let a session ask about relations and it learns another tenant's
 * role ids through a lookup, or that they exist through a check. So an account may ask about
 * permissions only; a service key naming an explicit subject may ask about anything.
 */
export function assertAskable(
  ctx: ActionContext,
  subject: ResolvedSubject,
  type: string,
  name: string,
  field: string,
): void | Promise<void> {
  if (!subject.membership) return;
  const kind = ctx.services.schemaMembers.kindOf(type, name);
  return kind instanceof Promise
    ? kind.then((k) => refuseRelation(k, type, name, field))
    : refuseRelation(kind, type, name, field);
}

function refuseRelation(kind: MemberKind | undefined, type: string, name: string, field: string) {
  if (kind === "relation") {
    throw new ValidationError(
      `${field}: ${name} is a relation of ${type}; an account asks about permissions only`,
      field,
      "relation_not_askable",
    );
  }
}
