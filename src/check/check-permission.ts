import { v1 } from "@authzed/authzed-node";
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { ActionContext } from "../action-context.js";
import { EngineError, itemEngineError } from "../authz/engine-error.js";
import { engineProblem, refusedAs } from "../authz/engine-problem.js";
import { parseObjectReference } from "../authz/relationship-syntax.js";
import { ForbiddenError, parseField } from "../lib/errors.js";
import { inTenant } from "../relationships/tenant-links.js";
import { assertAskable } from "./askable.js";
import type { BatchedResult } from "./check-batcher.js";
import { type ConsistencyInput, consistencyFrom } from "./consistency.js";
import { DecisionCache } from "./decision-cache.js";
import { type ExplainNode, explainTrace } from "./explain.js";
import { questionContext } from "./question-context.js";
import { type ResolvedSubject, resolveSubject, type SubjectInput } from "./subject.js";

export type Permissionship = "has_permission" | "no_permission" | "conditional";

interface CheckItemInput {
  resource: string;
  permission: string;
  context?: Record<string, unknown> | undefined;
}

export interface CheckResult {
  allowed: boolean;
  permissionship: Permissionship;
  missingContext?: string[];
}

const PERMISSIONSHIP: Record<number, Permissionship> = {
  [v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION]: "has_permission",
  [v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION]: "conditional",
  [v1.CheckPermissionResponse_Permissionship.NO_PERMISSION]: "no_permission",
};

// Plain objects: this runs for every check, and create() copies its argument by reflection.
function toItem(
  ctx: ActionContext,
  input: CheckItemInput,
  subject: ResolvedSubject,
  field: string,
): v1.CheckBulkPermissionsRequestItem {
  const resource = parseField(`${field}resource`, () => parseObjectReference(input.resource));
  return {
    resource,
    permission: input.permission,
    subject: subject.reference,
    context: questionContext(subject, ctx.ip, input.context),
  };
}

function membershipItem(
  ctx: ActionContext,
  subject: ResolvedSubject,
): v1.CheckBulkPermissionsRequestItem | undefined {
  if (!subject.membership) return undefined;
  return {
    resource: { objectType: "tenant", objectId: subject.membership.tenantId },
    permission: ctx.services.tenancy.tenant.belongs,
    subject: subject.reference,
    context: undefined,
  };
}

/**
 * Reads one pair; an item the engine refused (unknown type or permission) becomes a problem
 * naming it, and an item it could not answer a 503.
 */
function toResult(result: BatchedResult, field: string): CheckResult {
  const response = result.pair.response;
  if (response.oneofKind === "error") throw engineProblem(itemEngineError(response.error), field);
  if (response.oneofKind !== "item")
    throw new EngineError(GrpcStatus.INTERNAL, "engine returned an empty result");
  const permissionship = PERMISSIONSHIP[response.item.permissionship] ?? "no_permission";
  const missing = response.item.partialCaveatInfo?.missingRequiredContext;
  return {
    allowed: permissionship === "has_permission",
    permissionship,
    ...(permissionship === "conditional" && missing ? { missingContext: missing } : {}),
  };
}

/**
 * Runs items (and the subject's membership) through the batcher, or straight to the engine when
 * the caller asked for a particular consistency. A membership that does not hold refuses the
 * whole request: the subject is not an account that may act in that tenant.
 */
async function runChecks(
  ctx: ActionContext,
  subject: ResolvedSubject,
  items: v1.CheckBulkPermissionsRequestItem[],
  consistency: ConsistencyInput | undefined,
): Promise<{ results: BatchedResult[]; checkedAt: string | undefined }> {
  const membership = membershipItem(ctx, subject);
  const all = membership ? [membership, ...items] : items;
  let results: BatchedResult[];
  if (consistency === undefined || consistency === "minimize_latency") {
    results = await cachedChecks(ctx, all);
  } else {
    const response = await refusedAs(
      "permission",
      ctx.services.engine.checkBulkPermissions(
        v1.CheckBulkPermissionsRequest.create({
          items: all,
          consistency: consistencyFrom(consistency),
        }),
      ),
    );
    results = response.pairs.map((pair) => ({ pair, checkedAt: response.checkedAt?.token }));
  }
  if (membership) {
    const [first, ...rest] = results;
    if (!first || !toResult(first, "tenantId").allowed) {
      throw new ForbiddenError(
        `no active membership in tenant ${subject.tenantId}`,
        "not_a_member",
        { tenantId: subject.tenantId },
      );
    }
    results = rest;
  }
  return { results, checkedAt: results[0]?.checkedAt };
}

/** Refuses (403 not_a_member) unless an end user's account still belongs to its tenant. */
export async function requireMembership(
  ctx: ActionContext,
  subject: ResolvedSubject,
): Promise<void> {
  await runChecks(ctx, subject, [], undefined);
}

function countDecision(
  ctx: ActionContext,
  result: BatchedResult,
  source: "cache" | "engine",
): void {
  const response = result.pair.response;
  if (response.oneofKind !== "item") return;
  ctx.services.metrics.countCheckDecision(
    PERMISSIONSHIP[response.item.permissionship] ?? "no_permission",
    source,
  );
}

/**
 * Answers from the decision cache where it can, and sends the rest through the batcher. Returns
 * the results themselves when every one came from the cache (the usual case under load), so the
 * warm path makes no promise of its own.
 */
function cachedChecks(
  ctx: ActionContext,
  items: v1.CheckBulkPermissionsRequestItem[],
): BatchedResult[] | Promise<BatchedResult[]> {
  const { decisions } = ctx.services;
  if (!decisions.enabled) return lookThrough(ctx, items, undefined);
  const generation = decisions.generation();
  return generation instanceof Promise
    ? generation.then((known) => lookThrough(ctx, items, known))
    : lookThrough(ctx, items, generation);
}

function lookThrough(
  ctx: ActionContext,
  items: v1.CheckBulkPermissionsRequestItem[],
  generation: string | undefined,
): BatchedResult[] | Promise<BatchedResult[]> {
  const { decisions, checks } = ctx.services;
  let missed = false;
  const results = items.map((item) => {
    const key = generation === undefined ? undefined : DecisionCache.key(generation, item);
    const cached = key === undefined ? undefined : decisions.get(key);
    if (cached) {
      countDecision(ctx, cached, "cache");
      return cached;
    }
    missed = true;
    return checks.check(item).then((result) => {
      if (key !== undefined) decisions.set(key, result);
      countDecision(ctx, result, "engine");
      return result;
    });
  });
  return missed ? Promise.all(results) : (results as BatchedResult[]);
}

export async function checkPermission({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: CheckItemInput & SubjectInput & { consistency?: ConsistencyInput; explain?: boolean };
}): Promise<
  CheckResult & { checkedAt: string | undefined; explain?: ExplainNode; subject: string }
> {
  const subject = await resolveSubject(ctx, input);
  return { ...(await checkFor(ctx, subject, input)), subject: subject.subject };
}

/** One check for a subject already resolved (also the asker's own check in lookupSubjects). */
export async function checkFor(
  ctx: ActionContext,
  subject: ResolvedSubject,
  input: CheckItemInput & { consistency?: ConsistencyInput; explain?: boolean },
): Promise<CheckResult & { checkedAt: string | undefined; explain?: ExplainNode }> {
  const item = toItem(ctx, input, subject, "");
  await assertAskable(ctx, subject, item.resource?.objectType ?? "", item.permission, "permission");
  const resource = item.resource as v1.ObjectReference;
  // A trace walks the object's tenant, its roles and their grants: another tenant's ids.
  const traceable =
    input.explain &&
    (!subject.membership ||
      (await inTenant(
        ctx.services.engine,
        ctx.services.tenancy,
        resource,
        subject.membership.tenantId,
      )));
  // SpiceDB (a real one, not the embedded engine) answers a question it has answered at the same
  // revision from its dispatch cache, and the trace of a cached answer stops there. So the traced
  // check goes first, and at full consistency unless the caller chose one: the decision below is
  // asked at the freshness token's revision, so neither it nor earlier checks fill the entry the
  // trace would read. Its error, if any, waits: the decision reports an unknown permission first.
  const traced = traceable
    ? await ctx.services.engine
        .checkPermission(
          v1.CheckPermissionRequest.create({
            resource: item.resource,
            permission: item.permission,
            subject: item.subject,
            context: item.context,
            withTracing: true,
            consistency: consistencyFrom(input.consistency ?? "fully_consistent"),
          }),
        )
        .then(
          (response) => ({ response }),
          (error: unknown) => ({ error }),
        )
    : undefined;
  const { results, checkedAt } = await runChecks(ctx, subject, [item], input.consistency);
  const result = toResult(results[0] as BatchedResult, "permission");
  if (traced && "error" in traced) await refusedAs("permission", Promise.reject(traced.error));
  if (input.explain && !traceable) {
    return {
      ...result,
      checkedAt,
      explain: {
        check: `${input.resource}#${input.permission}@${subject.subject}`,
        kind: "permission",
        result: result.permissionship,
        withheld: "the resource is not in the asking account's tenant",
      },
    };
  }
  const trace = traced && "response" in traced ? traced.response.debugTrace?.check : undefined;
  return { ...result, checkedAt, ...(trace ? { explain: explainTrace(trace) } : {}) };
}

export async function checkPermissions({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: SubjectInput & { items: CheckItemInput[]; consistency?: ConsistencyInput };
}): Promise<{
  results: (CheckResult & { resource: string; permission: string })[];
  checkedAt: string | undefined;
  subject: string;
}> {
  const subject = await resolveSubject(ctx, input);
  const items = input.items.map((item, index) => toItem(ctx, item, subject, `items.${index}.`));
  for (const [index, item] of items.entries()) {
    const field = `items.${index}.permission`;
    await assertAskable(ctx, subject, item.resource?.objectType ?? "", item.permission, field);
  }
  const { results, checkedAt } = await runChecks(ctx, subject, items, input.consistency);
  return {
    results: results.map((result, index) => {
      const asked = input.items[index] as CheckItemInput;
      return {
        resource: asked.resource,
        permission: asked.permission,
        ...toResult(result, `items.${index}.permission`),
      };
    }),
    checkedAt,
    subject: subject.subject,
  };
}
