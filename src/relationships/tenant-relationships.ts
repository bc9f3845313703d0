import { v1 } from "@authzed/authzed-node";
import type { ActionContext } from "../action-context.js";
import type { AuthzEngine } from "../authz/engine.js";
import { requirePermission } from "../authz/permission.js";
import { formatRelationship } from "../authz/relationship-syntax.js";
import { ValidationError } from "../lib/errors.js";
import { deployedOutline } from "../schema/deployed-outline.js";
import type { SchemaOutline } from "../schema/schema-outline.js";
import { actingAccount } from "../tenancy/active-account.js";
import type { TenancyConfig } from "../tenancy/tenancy-config.js";
import { tenantObjectIds } from "./tenant-links.js";
import { isProtectedRelation } from "./write-policy.js";

/**
 * Browsing a tenant's relationships by object type, for the tenant's managers (the same
 * permission that links objects to it). Only the tenant's own objects are read: the tenant
 * itself, or the objects of the type linked to it, one by one; another tenant's rows never are.
 */

/** Whether objects of the type can belong to a tenant: `tenant` itself, or a type with the link. */
function tenantScoped(tenancy: TenancyConfig, outline: SchemaOutline, type: string): boolean {
  if (type === "tenant") return true;
  const link = outline.definitions.get(type)?.members.get(tenancy.objects.tenantRelation);
  return link?.kind === "relation" && link.allowed.some((s) => s.type === "tenant");
}

async function objectRelationships(
  engine: AuthzEngine,
  resourceType: string,
  resourceId: string,
  relation: string | undefined,
): Promise<v1.Relationship[]> {
  const responses = await engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      relationshipFilter: {
        resourceType,
        optionalResourceId: resourceId,
        optionalRelation: relation ?? "",
      },
    }),
  );
  return responses.flatMap((r) => (r.relationship ? [r.relationship] : []));
}

async function requireManager(ctx: ActionContext, tenantId: string): Promise<void> {
  const account = await actingAccount(ctx, tenantId);
  await requirePermission(ctx.services.engine, {
    resource: `tenant:${tenantId}`,
    permission: ctx.services.tenancy.tenant.permissions.linkObjects,
    subject: `account:${account.id}`,
  });
}

interface Cursor {
  /** The object to continue with, and how many of its relationships were already given. */
  after: string;
  skip: number;
}

const encodeCursor = (cursor: Cursor) =>
  Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Cursor;
    if (typeof value.after === "string" && Number.isInteger(value.skip) && value.skip >= 0)
      return value;
  } catch {
    // falls through to the 400 below
  }
  throw new ValidationError("cursor: not a cursor this route gave", "cursor");
}

interface TenantRelationshipRow {
  relationship: string;
  /** Changed only through the membership and roles APIs, not the relationships API. */
  core: boolean;
}

/**
 * A page of the tenant's relationships on objects of one type, optionally of objects whose id
 * starts with `resourceIdPrefix` and of one relation; ordered by object id.
 */
export async function listTenantRelationships({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: {
    tenantId: string;
    resourceType: string;
    resourceIdPrefix?: string | undefined;
    relation?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  };
}): Promise<{ relationships: TenantRelationshipRow[]; objects: number; nextCursor?: string }> {
  await requireManager(ctx, input.tenantId);
  const { engine, tenancy } = ctx.services;
  const { outline } = await deployedOutline(engine);
  if (!tenantScoped(tenancy, outline, input.resourceType))
    throw new ValidationError(
      `resourceType: objects of type ${input.resourceType} do not belong to tenants in the schema`,
      "resourceType",
    );
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const ids = (await tenantObjectIds(engine, tenancy, input.tenantId, input.resourceType)).filter(
    (id) => id.startsWith(input.resourceIdPrefix ?? ""),
  );
  const rows: TenantRelationshipRow[] = [];
  for (const id of ids) {
    if (cursor && id < cursor.after) continue;
    const skip = cursor && id === cursor.after ? cursor.skip : 0;
    const rels = await objectRelationships(engine, input.resourceType, id, input.relation);
    for (let i = skip; i < rels.length; i++) {
      if (rows.length === input.limit)
        return {
          relationships: rows,
          objects: ids.length,
          nextCursor: encodeCursor({ after: id, skip: i }),
        };
      const rel = rels[i] as v1.Relationship;
      rows.push({
        relationship: formatRelationship(rel),
        core: isProtectedRelation(tenancy, input.resourceType, rel.relation),
      });
    }
  }
  return { relationships: rows, objects: ids.length };
}

/**
 * Every relationship of the tenant's objects, type by type, in SpiceDB's string syntax, one line
 * each: refused here, or handed over to be read object by object as the lines are taken.
 */
export async function exportTenantRelationships({
  ctx,
  input,
}: {
  ctx: ActionContext;
  input: { tenantId: string };
}): Promise<AsyncIterable<string>> {
  await requireManager(ctx, input.tenantId);
  const { engine, tenancy } = ctx.services;
  const { outline } = await deployedOutline(engine);
  const types = [...outline.definitions.keys()].filter((t) => tenantScoped(tenancy, outline, t));
  return (async function* lines() {
    for (const type of types)
      for (const id of await tenantObjectIds(engine, tenancy, input.tenantId, type))
        for (const rel of await objectRelationships(engine, type, id, undefined))
          yield `${formatRelationship(rel)}\n`;
  })();
}
