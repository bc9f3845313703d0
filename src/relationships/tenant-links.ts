import { v1 } from "@authzed/authzed-node";
import type { AuthzEngine } from "../authz/engine.js";
import { toEngineError } from "../authz/engine-error.js";
import type { TenancyConfig } from "../tenancy/tenancy-config.js";

/**
 * The tenants an object is linked to (`type:id#tenant@tenant:T`); none when its type has no
 * tenant relation at all (SpiceDB refuses the read: nothing of that type belongs to a tenant).
 */
export async function tenantLinks(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  object: v1.ObjectReference,
  tenantId = "",
): Promise<string[]> {
  try {
    const responses = await engine.readRelationships(
      v1.ReadRelationshipsRequest.create({
        relationshipFilter: {
          resourceType: object.objectType,
          optionalResourceId: object.objectId,
          optionalRelation: tenancy.objects.tenantRelation,
          optionalSubjectFilter: { subjectType: "tenant", optionalSubjectId: tenantId },
        },
      }),
    );
    return responses.flatMap((r) =>
      r.relationship?.subject?.object ? [r.relationship.subject.object.objectId] : [],
    );
  } catch (error) {
    if (toEngineError(error).kind === "invalid") return [];
    throw error;
  }
}

/** Whether an object is the tenant itself or linked to it. */
export async function inTenant(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  object: v1.ObjectReference,
  tenantId: string,
): Promise<boolean> {
  if (object.objectType === "tenant") return object.objectId === tenantId;
  return (await tenantLinks(engine, tenancy, object, tenantId)).length > 0;
}

/**
 * The ids of the tenant's objects of a type (only `resourceId`, if given, when it is one),
 * sorted; the tenant itself for `tenant`. One read of the links, whatever the object count.
 */
export async function tenantObjectIds(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  tenantId: string,
  resourceType: string,
  resourceId = "",
): Promise<string[]> {
  if (resourceType === "tenant") return !resourceId || resourceId === tenantId ? [tenantId] : [];
  const links = await engine.readRelationships(
    v1.ReadRelationshipsRequest.create({
      relationshipFilter: {
        resourceType,
        optionalResourceId: resourceId,
        optionalRelation: tenancy.objects.tenantRelation,
        optionalSubjectFilter: { subjectType: "tenant", optionalSubjectId: tenantId },
      },
    }),
  );
  const ids = links.flatMap((r) =>
    r.relationship?.resource ? [r.relationship.resource.objectId] : [],
  );
  return [...new Set(ids)].sort();
}
