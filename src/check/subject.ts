import type { v1 } from "@authzed/authzed-node";
import type { ActionContext } from "../action-context.js";
import { type ValidatedSession, validateSessionToken } from "../auth/sessions.js";
import { parseSubjectReference } from "../authz/relationship-syntax.js";
import { ForbiddenError, parseField, UnauthorizedError, ValidationError } from "../lib/errors.js";
import { refuseOtherTenantWhileViewing } from "../operator/view-as.js";
import { getUserAccountInTenant } from "../tenancy/store.js";

/**
 * The subject a question is asked for, and what must also hold for the answer to count: for an
 * end user, the membership of their account in its tenant. The membership is checked in the
 * same engine batch as the question itself, so it costs one bulk item, not one more call.
 */
export interface ResolvedSubject {
  /** `account:acc_…`, or what a service key named explicitly. */
  subject: string;
  /** The same, parsed. */
  reference: v1.SubjectReference;
  tenantId: string | null;
  membership: { tenantId: string; accountId: string } | null;
  /**
   * The question comes from the end user's own session (not a service asking for them): the
   * caveat context's connection values are then the connection's, never the caller's word.
   */
  fromSession: boolean;
}

export interface SubjectInput {
  tenantId?: string | undefined;
  sessionToken?: string | undefined;
  subject?: string | undefined;
}

/**
 * Who the question is about:
 * - a user session: the session's active account, or the user's account in `tenantId`;
 * - a service key: the active account of the end user's `sessionToken` (or their account in
 *   `tenantId`), or an explicit `subject`.
 * An account must be enabled; its membership is verified alongside the question.
 */
export async function resolveSubject(
  ctx: ActionContext,
  input: SubjectInput,
): Promise<ResolvedSubject> {
  const { actor } = ctx;
  if (!actor) throw new UnauthorizedError();
  const { store, sessionPolicy, sessionCache, clock } = ctx.services;
  let validated: ValidatedSession;
  if (actor.kind === "user") {
    if (input.subject)
      throw new ForbiddenError(
        "only service keys may name a subject; users ask for their own account",
        "subject_not_allowed",
      );
    if (input.sessionToken)
      throw new ValidationError(
        "sessionToken is for service keys; a user's own session is already known",
        "sessionToken",
      );
    validated = actor;
  } else if (input.subject) {
    if (input.sessionToken)
      throw new ValidationError("pass either subject or sessionToken, not both", "subject");
    return {
      subject: input.subject,
      reference: parseField("subject", () => parseSubjectReference(input.subject as string)),
      tenantId: null,
      membership: null,
      fromSession: false,
    };
  } else if (input.sessionToken) {
    const session = await validateSessionToken(
      store,
      input.sessionToken,
      sessionPolicy,
      clock(),
      sessionCache,
    );
    if (!session)
      throw new UnauthorizedError(
        "the end user's session is invalid or expired",
        "invalid_session",
      );
    validated = session;
  } else {
    throw new ValidationError("a service key must pass sessionToken or subject", "sessionToken");
  }

  if (input.tenantId) refuseOtherTenantWhileViewing(actor, input.tenantId);
  const userId = validated.user.id;
  // The active account came with the session (one query); only a named tenant needs another.
  const account = input.tenantId
    ? await getUserAccountInTenant(store, userId, input.tenantId)
    : validated.activeAccount;
  if (!account || account.userId !== userId || account.disabled) {
    if (input.tenantId) {
      throw new ForbiddenError(`no active membership in tenant ${input.tenantId}`, "not_a_member", {
        tenantId: input.tenantId,
      });
    }
    throw new ForbiddenError(
      "the session has no active tenant; switch to one first",
      "no_active_tenant",
    );
  }
  return {
    subject: `account:${account.id}`,
    reference: { object: { objectType: "account", objectId: account.id }, optionalRelation: "" },
    tenantId: account.tenantId,
    membership: { tenantId: account.tenantId, accountId: account.id },
    fromSession: actor.kind === "user",
  };
}
