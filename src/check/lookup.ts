import { v1 } from "@authzed/authzed-node";
import type { ActionContext } from "../action-context.js";
import { refusedAs } from "../authz/engine-problem.js";
import { parseObjectReference } from "../authz/relationship-syntax.js";
import { ForbiddenError, parseField } from "../lib/errors.js";
import { assertAskable } from "./askable.js";
import { checkFor, requireMembership } from "./check-permission.js";
import { type ConsistencyInput, consistencyFrom } from "./consistency.js";
import { questionContext } from "./question-context.js";
import { resolveSubject, type SubjectInput } from "./subject.js";

/**
 * The resources of a type on which the subject has a permission. No tenant filter is needed:
 * the schema intersects every permission with tenant membership, so an account only ever finds
 * its own tenant's objects.
 */
export async function lookupResources({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: SubjectInput & {
    resourceType: string;
    permission: string;
    context?: Record<string, unknown>;
    consistency?: ConsistencyInput;
  };
}) {
  const subject = await resolveSubject(ctx, input);
  await assertAskable(ctx, subject, input.resourceType, input.permission, "permission");
  await requireMembership(ctx, subject);
  const responses = await refusedAs(
    "permission",
    ctx.services.engine.lookupResources(
      v1.LookupResourcesRequest.create({
        resourceObjectType: input.resourceType,
        permission: input.permission,
        subject: subject.reference,
        context: questionContext(subject, ctx.ip, input.context),
        consistency: input.consistency ? consistencyFrom(input.consistency) : undefined,
      }),
    ),
  );
  const granted: string[] = [];
  const conditional: string[] = [];
  for (const r of responses) {
    if (r.permissionship === v1.LookupPermissionship.HAS_PERMISSION)
      granted.push(r.resourceObjectId);
    else if (r.permissionship === v1.LookupPermissionship.CONDITIONAL_PERMISSION)
      conditional.push(r.resourceObjectId);
  }
  return {
    resources: granted.sort(),
    conditional: conditional.sort(),
    lookedUpAt: responses[0]?.lookedUpAt?.token,
    subject: subject.subject,
  };
}

/**
 * The subjects of a type that have a permission on a resource. A user may ask only about a
 * resource on which their own account holds that same permission: "who else can edit this?" is
 * answered to those who can edit it, and nothing of another tenant's objects is revealed.
 */
export async function lookupSubjects({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: SubjectInput & {
    resource: string;
    permission: string;
    subjectType: string;
    context?: Record<string, unknown>;
    consistency?: ConsistencyInput;
  };
}) {
  const subject = await resolveSubject(ctx, input);
  const resource = parseField("resource", () => parseObjectReference(input.resource));
  await assertAskable(ctx, subject, resource.objectType, input.permission, "permission");
  if (subject.membership) {
    const own = await checkFor(ctx, subject, {
      resource: input.resource,
      permission: input.permission,
      context: input.context,
    });
    if (!own.allowed) {
      throw new ForbiddenError(
        `${subject.subject} lacks permission ${input.permission} on ${input.resource}`,
        "permission_denied",
        {
          resource: input.resource,
          permission: input.permission,
        },
      );
    }
  }
  const responses = await refusedAs(
    "subjectType",
    ctx.services.engine.lookupSubjects(
      v1.LookupSubjectsRequest.create({
        resource,
        permission: input.permission,
        subjectObjectType: input.subjectType,
        context: questionContext(subject, ctx.ip, input.context),
        consistency: input.consistency ? consistencyFrom(input.consistency) : undefined,
      }),
    ),
  );
  const subjects = responses
    .flatMap((r) => (r.subject ? [{ found: r.subject, excluded: r.excludedSubjects }] : []))
    .map(({ found, excluded }) => ({
      id: found.subjectObjectId,
      permissionship: (found.permissionship === v1.LookupPermissionship.CONDITIONAL_PERMISSION
        ? "conditional"
        : "has_permission") as "conditional" | "has_permission",
      ...(excluded.length > 0 ? { excluded: excluded.map((e) => e.subjectObjectId) } : {}),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { subjects, lookedUpAt: responses[0]?.lookedUpAt?.token };
}
