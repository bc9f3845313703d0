import { v1 } from "@authzed/authzed-node";
import type { ActionContext } from "../action-context.js";
import type { AuthzEngine } from "../authz/engine.js";
import { refusedAs } from "../authz/engine-problem.js";
import {
  formatRelationship,
  parseObjectReference,
  parseRelationship,
  parseSubjectReference,
} from "../authz/relationship-syntax.js";
import { installationWriter } from "../installation/installation-writer.js";
import { ConflictError, ForbiddenError, parseField, ValidationError } from "../lib/errors.js";
import type { TenancyConfig } from "../tenancy/tenancy-config.js";
import { type ActingTenant, actingTenant } from "./acting-tenant.js";
import { authorizeUpdates, type Operation, type Update } from "./authorize-updates.js";
import { inTenant, tenantObjectIds } from "./tenant-links.js";
import {
  isInstallationType,
  isProtectedRelation,
  isTenantLink,
  writePermission,
} from "./write-policy.js";

const OPERATIONS: Record<Operation, v1.RelationshipUpdate_Operation> = {
  touch: v1.RelationshipUpdate_Operation.TOUCH,
  create: v1.RelationshipUpdate_Operation.CREATE,
  delete: v1.RelationshipUpdate_Operation.DELETE,
};

const MAX_UPDATES = 1000;

function parseUpdates(input: { operation: Operation; relationship: string }[]): Update[] {
  return input.map((u, index) => ({
    operation: u.operation,
    relationship: parseField(`updates.${index}.relationship`, () =>
      parseRelationship(u.relationship),
    ),
  }));
}

/**
 * Applies a batch atomically, after the whole batch is authorized for the acting tenant; or, for
 * a batch on installation-wide objects, for an operator or a write-scoped key.
 */
export async function writeRelationships({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: {
    tenantId?: string | undefined;
    updates: { operation: Operation; relationship: string }[];
  };
}): Promise<{ writtenAt: string | undefined }> {
  const updates = parseUpdates(input.updates);
  const { engine, store, clock, tenancy } = ctx.services;
  if (updates.some((u) => isInstallationType(tenancy, u.relationship.resource?.objectType ?? "")))
    return writeInstallationObjects(ctx, updates);
  const acting = await actingTenant(ctx, input.tenantId);
  const preconditions = await authorizeUpdates({ engine, store, tenancy }, acting, updates);
  const all = [...updates, ...(await unlinkedObjectsRelationships(engine, tenancy, updates))];
  if (all.length > MAX_UPDATES) {
    throw new ConflictError(
      `unlinking takes ${all.length} updates with the objects' other relationships; at most ${MAX_UPDATES} fit one atomic write: delete some of those relationships first`,
      "unlink_too_large",
    );
  }
  const response = await refusedAs(
    "updates",
    engine.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: all.map((u) => ({
          operation: OPERATIONS[u.operation],
          relationship: u.relationship,
        })),
        optionalPreconditions: preconditions,
      }),
      { audit: { ...acting.audit, action: "relationships.write", at: clock() } },
    ),
  );
  return { writtenAt: response.writtenAt?.token };
}

/**
 * Installation-wide objects (tenancy.yaml installation.types) belong to no tenant: an operator or
 * a write-scoped key writes them, and only them in one batch; whatever their subjects.
 */
async function writeInstallationObjects(
  ctx: ActionContext,
  updates: Update[],
): Promise<{ writtenAt: string | undefined }> {
  const writer = installationWriter(ctx);
  const { engine, clock, tenancy } = ctx.services;
  for (const [index, update] of updates.entries()) {
    const type = update.relationship.resource?.objectType ?? "";
    if (!isInstallationType(tenancy, type)) {
      throw new ValidationError(
        `updates.${index}: ${type} objects belong to tenants; installation objects are written in a batch of their own`,
        `updates.${index}.relationship`,
        "mixed_batch",
      );
    }
    if (isProtectedRelation(tenancy, type, update.relationship.relation)) {
      throw new ForbiddenError(
        `updates.${index}: ${type}#${update.relationship.relation} is a user attribute; use /v1/users/{userId}/attributes`,
        "core_relation",
        { field: `updates.${index}` },
      );
    }
  }
  const response = await refusedAs(
    "updates",
    engine.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: updates.map((u) => ({
          operation: OPERATIONS[u.operation],
          relationship: u.relationship,
        })),
      }),
      { audit: { ...writer, action: "installation.write", at: clock() } },
    ),
  );
  return { writtenAt: response.writtenAt?.token };
}

/**
 * The deletes that go with unlinking objects from their tenant: every other relationship of
 * each object being unlinked, so that no grant is left behind on an object that belongs to no
 * one (a later claim of the same id would find it there).
 */
async function unlinkedObjectsRelationships(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  updates: Update[],
): Promise<Update[]> {
  const inBatch = new Set(updates.map((u) => formatRelationship(u.relationship)));
  const extra: Update[] = [];
  for (const update of updates) {
    if (update.operation !== "delete" || !isTenantLink(tenancy, update.relationship)) continue;
    const object = update.relationship.resource as v1.ObjectReference;
    const responses = await engine.readRelationships(
      v1.ReadRelationshipsRequest.create({
        relationshipFilter: {
          resourceType: object.objectType,
          optionalResourceId: object.objectId,
          optionalRelation: "",
        },
      }),
    );
    for (const { relationship } of responses) {
      if (!relationship) continue;
      const text = formatRelationship(relationship);
      if (inBatch.has(text)) continue;
      inBatch.add(text);
      extra.push({ operation: "delete", relationship });
    }
  }
  return extra;
}

interface DeleteFilter {
  resourceType: string;
  resourceId?: string | undefined;
  relation?: string | undefined;
  subject?: string | undefined;
}

function toFilter(filter: DeleteFilter): v1.RelationshipFilter {
  const text = filter.subject;
  const subject = text
    ? parseField("filter.subject", () => parseSubjectReference(text, "subject"))
    : undefined;
  return v1.RelationshipFilter.create({
    resourceType: filter.resourceType,
    optionalResourceId: filter.resourceId ?? "",
    optionalRelation: filter.relation ?? "",
    optionalSubjectFilter: subject
      ? {
          subjectType: subject.object?.objectType ?? "",
          optionalSubjectId: subject.object?.objectId ?? "",
          optionalRelation: subject.optionalRelation
            ? { relation: subject.optionalRelation }
            : undefined,
        }
      : undefined,
  });
}

/**
 * Deletes the relationships matching a filter, but only those on this tenant's objects: the
 * matches are read, each one authorized like an explicit delete, those of other tenants left
 * alone, and the rest deleted as explicit updates (so the deletion cannot reach past what was
 * authorized). Batches of 1,000 are each atomic.
 */
export async function deleteRelationshipsByFilter({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId?: string | undefined; filter: DeleteFilter };
}): Promise<{ deletedAt: string | undefined; count: number }> {
  const { engine, store, clock, tenancy } = ctx.services;
  if (isProtectedRelation(tenancy, input.filter.resourceType, input.filter.relation ?? "")) {
    throw new ForbiddenError(
      `${input.filter.resourceType} relationships are part of the tenancy core; use the membership or roles API`,
      "core_relation",
    );
  }
  if (isInstallationType(tenancy, input.filter.resourceType))
    return deleteInstallationMatches(ctx, toFilter(input.filter));
  const acting = await actingTenant(ctx, input.tenantId);
  const matches = (
    await refusedAs(
      "filter",
      readTenantMatches(engine, tenancy, acting.tenantId, toFilter(input.filter)),
    )
  ).filter((rel) => !isProtectedRelation(tenancy, rel.resource?.objectType ?? "", rel.relation));
  const mine = await relationshipsOfTenant(ctx, acting, matches);
  let deletedAt: string | undefined;
  let count = 0;
  const audit = { ...acting.audit, action: "relationships.delete", at: clock() };
  for (let i = 0; i < mine.length; i += MAX_UPDATES) {
    const asked = mine
      .slice(i, i + MAX_UPDATES)
      .map((relationship) => ({ operation: "delete" as const, relationship }));
    await authorizeUpdates({ engine, store, tenancy }, acting, asked);
    // Unlinked objects lose their other relationships first, their tenant link last: stopped
    // halfway, an object keeps its link and fewer grants, never grants without a link.
    const cascade = await unlinkedObjectsRelationships(engine, tenancy, asked);
    const ordered = [
      ...cascade,
      ...asked.filter((u) => !isTenantLink(tenancy, u.relationship)),
      ...asked.filter((u) => isTenantLink(tenancy, u.relationship)),
    ];
    for (let j = 0; j < ordered.length; j += MAX_UPDATES) {
      const response = await engine.writeRelationships(
        v1.WriteRelationshipsRequest.create({
          updates: ordered
            .slice(j, j + MAX_UPDATES)
            .map((u) => ({ operation: OPERATIONS.delete, relationship: u.relationship })),
        }),
        { audit },
      );
      deletedAt = response.writtenAt?.token;
    }
    count += ordered.length;
  }
  return { deletedAt, count };
}

/** A filter delete on installation-wide objects, for an operator or a write-scoped key. */
async function deleteInstallationMatches(
  ctx: ActionContext,
  filter: v1.RelationshipFilter,
): Promise<{ deletedAt: string | undefined; count: number }> {
  const writer = installationWriter(ctx);
  const { engine, clock, tenancy } = ctx.services;
  const matches = (
    await refusedAs(
      "filter",
      engine.readRelationships(v1.ReadRelationshipsRequest.create({ relationshipFilter: filter })),
    )
  )
    .flatMap((r) => (r.relationship ? [r.relationship] : []))
    .filter((rel) => !isProtectedRelation(tenancy, rel.resource?.objectType ?? "", rel.relation));
  let deletedAt: string | undefined;
  const audit = { ...writer, action: "installation.delete", at: clock() };
  for (let i = 0; i < matches.length; i += MAX_UPDATES) {
    const response = await engine.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: matches
          .slice(i, i + MAX_UPDATES)
          .map((relationship) => ({ operation: OPERATIONS.delete, relationship })),
      }),
      { audit },
    );
    deletedAt = response.writtenAt?.token;
  }
  return { deletedAt, count: matches.length };
}

const READ_CONCURRENCY = 8;

/**
 * The relationships matching a filter on the acting tenant's objects only: the tenant itself, or
 * the objects of the filter's type linked to it, read object by object. Other tenants' rows are
 * never read, so a filter delete costs what the acting tenant holds, and sees nothing else.
 */
async function readTenantMatches(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  tenantId: string,
  filter: v1.RelationshipFilter,
): Promise<v1.Relationship[]> {
  const objectIds = await tenantObjectIds(
    engine,
    tenancy,
    tenantId,
    filter.resourceType,
    filter.optionalResourceId,
  );
  const found: v1.Relationship[] = [];
  for (let i = 0; i < objectIds.length; i += READ_CONCURRENCY) {
    const pages = await Promise.all(
      objectIds.slice(i, i + READ_CONCURRENCY).map((optionalResourceId) =>
        engine.readRelationships(
          v1.ReadRelationshipsRequest.create({
            relationshipFilter: { ...filter, optionalResourceId },
          }),
        ),
      ),
    );
    for (const page of pages)
      for (const { relationship } of page) if (relationship) found.push(relationship);
  }
  return found;
}

/** The relationships on objects this tenant may change, by the same rules as explicit writes. */
async function relationshipsOfTenant(
  ctx: ActionContext,
  acting: ActingTenant,
  rels: v1.Relationship[],
): Promise<v1.Relationship[]> {
  const keyOf = (r: v1.Relationship) =>
    `${r.resource?.objectType}:${r.resource?.objectId}#${r.relation}`;
  const distinct = [...new Map(rels.map((r) => [keyOf(r), r])).values()];
  const allowed = new Set<string>();
  for (const [i, ok] of (await mayChange(ctx, acting, distinct)).entries())
    if (ok) allowed.add(keyOf(distinct[i] as v1.Relationship));
  return rels.filter((r) => allowed.has(keyOf(r)));
}

/**
 * For each relationship, whether the acting tenant may change relationships of that kind on that
 * object: a user's account needs the policy permission (on the tenant, for tenant links); a
 * service key needs the object to belong to its tenant.
 */
async function mayChange(
  ctx: ActionContext,
  acting: ActingTenant,
  rels: v1.Relationship[],
): Promise<boolean[]> {
  if (rels.length === 0) return [];
  const { engine, tenancy } = ctx.services;
  if (!acting.accountId) {
    return Promise.all(
      rels.map(async (r) => {
        if (isTenantLink(tenancy, r)) return r.subject?.object?.objectId === acting.tenantId;
        return inTenant(engine, tenancy, r.resource as v1.ObjectReference, acting.tenantId);
      }),
    );
  }
  const subject = {
    object: { objectType: "account", objectId: acting.accountId },
    optionalRelation: "",
  };
  const response = await engine.checkBulkPermissions(
    v1.CheckBulkPermissionsRequest.create({
      items: rels.map((r) => {
        if (isTenantLink(tenancy, r)) {
          return {
            resource: { objectType: "tenant", objectId: acting.tenantId },
            permission: tenancy.tenant.permissions.linkObjects,
            subject,
          };
        }
        const needed = writePermission(
          tenancy,
          r.resource as v1.ObjectReference,
          r.relation,
          acting.tenantId,
        );
        return { resource: needed.object, permission: needed.permission, subject };
      }),
    }),
  );
  return rels.map((r, i) => {
    if (isTenantLink(tenancy, r) && r.subject?.object?.objectId !== acting.tenantId) return false;
    const pair = response.pairs[i]?.response;
    return (
      pair?.oneofKind === "item" &&
      pair.item.permissionship === v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION
    );
  });
}

/** Lists relationships of one object (paginated), for those who may change them. */
export async function readRelationships({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: {
    tenantId?: string | undefined;
    resource: string;
    relation?: string | undefined;
    subject?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  };
}) {
  const resource = parseField("resource", () => parseObjectReference(input.resource));
  if (isInstallationType(ctx.services.tenancy, resource.objectType)) installationWriter(ctx);
  else {
    const acting = await actingTenant(ctx, input.tenantId);
    // Reading who has access to an object is for those who may change it.
    const [allowed] = await mayChange(ctx, acting, [
      v1.Relationship.create({
        resource,
        relation: input.relation ?? "",
        subject: { object: { objectType: "account", objectId: "*" } },
      }),
    ]);
    if (!allowed) {
      throw new ForbiddenError(
        `not allowed to read the relationships of ${input.resource} in tenant ${acting.tenantId}`,
        "permission_denied",
        { resource: input.resource },
      );
    }
  }
  const filter = toFilter({
    resourceType: resource.objectType,
    resourceId: resource.objectId,
    relation: input.relation,
    subject: input.subject,
  });
  const responses = await refusedAs(
    input.cursor ? "cursor" : "relation",
    ctx.services.engine.readRelationships(
      v1.ReadRelationshipsRequest.create({
        relationshipFilter: filter,
        optionalLimit: input.limit,
        optionalCursor: input.cursor ? { token: input.cursor } : undefined,
      }),
    ),
  );
  const last = responses.at(-1);
  return {
    relationships: responses.flatMap((r) =>
      r.relationship ? [formatRelationship(r.relationship)] : [],
    ),
    readAt: responses[0]?.readAt?.token,
    nextCursor: responses.length === input.limit ? last?.afterResultCursor?.token : undefined,
  };
}
