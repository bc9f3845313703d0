import { v1 } from "@authzed/authzed-node";
import type { AuthzEngine } from "../authz/engine.js";
import { formatRelationship } from "../authz/relationship-syntax.js";
import type { Store } from "../data/database.js";
import { ForbiddenError } from "../lib/errors.js";
import { enabledAccountsOfTenant } from "../tenancy/store.js";
import type { TenancyConfig } from "../tenancy/tenancy-config.js";
import type { ActingTenant } from "./acting-tenant.js";
import { tenantLinks } from "./tenant-links.js";
import {
  isCrossTenant,
  isInstallationType,
  isProtectedRelation,
  isTenantLink,
  writePermission,
} from "./write-policy.js";

export type Operation = "touch" | "create" | "delete";

export interface Update {
  operation: Operation;
  relationship: v1.Relationship;
}

const key = (ref: v1.ObjectReference | undefined) => `${ref?.objectType}:${ref?.objectId}`;

function refuse(
  index: number,
  update: Update,
  reason: string,
  code: string,
  extra: Record<string, unknown> = {},
): never {
  throw new ForbiddenError(
    `updates.${index} (${update.operation} ${formatRelationship(update.relationship)}): ${reason}`,
    code,
    {
      field: `updates.${index}`,
      ...extra,
    },
  );
}

/**
 * Decides whether the acting tenant may apply every update; refuses the whole batch (403 naming
 * the update and the missing permission) otherwise. Returns the preconditions the write must
 * carry so that linking an object to this tenant cannot race with another tenant claiming it.
 *
 * The decisions are SpiceDB's: the acting account must hold the policy's permission on each
 * object (or on the tenant, to link an object to it). Subjects must belong to the acting tenant:
 * accounts by their row, other objects by their tenant link.
 */
export async function authorizeUpdates(
  deps: { engine: AuthzEngine; store: Store; tenancy: TenancyConfig },
  acting: ActingTenant,
  updates: Update[],
): Promise<v1.Precondition[]> {
  const { tenantId } = acting;
  const { tenancy } = deps;
  const preconditions: v1.Precondition[] = [];
  const linkedHere = new Set<string>();
  const needsPermission: { index: number; object: v1.ObjectReference; permission: string }[] = [];
  const needsOwnership: { index: number; object: v1.ObjectReference; what: string }[] = [];
  const accountSubjects = new Map<string, number>();

  for (const [index, update] of updates.entries()) {
    const rel = update.relationship;
    const resource = rel.resource as v1.ObjectReference;
    const subject = rel.subject?.object as v1.ObjectReference;
    if (isProtectedRelation(tenancy, resource.objectType, rel.relation)) {
      refuse(
        index,
        update,
        `${resource.objectType}#${rel.relation} is part of the tenancy core; use the membership or roles API`,
        "core_relation",
      );
    }
    if (resource.objectType === "tenant" && resource.objectId !== tenantId) {
      refuse(index, update, `tenant ${resource.objectId} is not the acting tenant`, "cross_tenant");
    }

    if (isInstallationType(tenancy, resource.objectType)) {
      refuse(
        index,
        update,
        `${resource.objectType} objects belong to the installation, not to a tenant: operators and write keys write them, in a batch of their own`,
        "installation_object",
      );
    }
    if (isTenantLink(tenancy, rel)) {
      if (subject.objectId !== tenantId)
        refuse(
          index,
          update,
          `objects can only be linked to the acting tenant ${tenantId}`,
          "cross_tenant",
        );
      needsPermission.push({
        index,
        object: { objectType: "tenant", objectId: tenantId },
        permission: tenancy.tenant.permissions.linkObjects,
      });
      if (update.operation === "delete") {
        // Unlinking takes the object's other relationships with it (actions.ts), so the object
        // must be this tenant's, and still be when the write lands.
        needsOwnership.push({ index, object: resource, what: "object" });
        preconditions.push(tenantLinkExists(tenancy, resource, tenantId));
      } else {
        linkedHere.add(key(resource));
        const current = await tenantLinks(deps.engine, tenancy, resource);
        const other = current.find((t) => t !== tenantId);
        if (other)
          refuse(
            index,
            update,
            `${key(resource)} belongs to another tenant`,
            "belongs_to_other_tenant",
          );
        // Atomic claim: the write fails if any tenant link appeared since the read above.
        if (current.length === 0) preconditions.push(noTenantLink(tenancy, resource));
      }
      continue;
    }

    if (acting.accountId)
      needsPermission.push({
        index,
        ...writePermission(tenancy, resource, rel.relation, tenantId),
      });
    else if (resource.objectType !== "tenant")
      needsOwnership.push({ index, object: resource, what: "object" });

    if (update.operation === "delete" || isCrossTenant(tenancy, resource.objectType, rel.relation))
      continue;
    if (subject.objectType === "user")
      refuse(index, update, "grants go to accounts, not users", "user_subject");
    // Wildcards, and installation objects (shared by every tenant), belong to no tenant.
    if (subject.objectId === "*" || isInstallationType(tenancy, subject.objectType)) continue;
    if (subject.objectType === "account") accountSubjects.set(subject.objectId, index);
    else if (subject.objectType === "tenant") {
      if (subject.objectId !== tenantId)
        refuse(
          index,
          update,
          `subject tenant ${subject.objectId} is not the acting tenant`,
          "cross_tenant",
        );
    } else needsOwnership.push({ index, object: subject, what: "subject" });
  }

  await checkAccounts(deps.store, tenantId, accountSubjects, updates);
  await checkOwnership(
    deps.engine,
    tenancy,
    tenantId,
    needsOwnership.filter((n) => !linkedHere.has(key(n.object))),
    updates,
  );
  if (acting.accountId) {
    await checkPermissions(
      deps.engine,
      acting.accountId,
      needsPermission.filter((n) => !linkedHere.has(key(n.object))),
      updates,
    );
  }
  return preconditions;
}

function tenantLinkExists(
  tenancy: TenancyConfig,
  resource: v1.ObjectReference,
  tenantId: string,
): v1.Precondition {
  return v1.Precondition.create({
    operation: v1.Precondition_Operation.MUST_MATCH,
    filter: {
      resourceType: resource.objectType,
      optionalResourceId: resource.objectId,
      optionalRelation: tenancy.objects.tenantRelation,
      optionalSubjectFilter: { subjectType: "tenant", optionalSubjectId: tenantId },
    },
  });
}

function noTenantLink(tenancy: TenancyConfig, resource: v1.ObjectReference): v1.Precondition {
  return v1.Precondition.create({
    operation: v1.Precondition_Operation.MUST_NOT_MATCH,
    filter: {
      resourceType: resource.objectType,
      optionalResourceId: resource.objectId,
      optionalRelation: tenancy.objects.tenantRelation,
      optionalSubjectFilter: { subjectType: "tenant", optionalSubjectId: "" },
    },
  });
}

async function checkAccounts(
  store: Store,
  tenantId: string,
  accounts: Map<string, number>,
  updates: Update[],
): Promise<void> {
  if (accounts.size === 0) return;
  const found = await enabledAccountsOfTenant(store, tenantId, [...accounts.keys()]);
  for (const [id, index] of accounts) {
    if (!found.has(id))
      refuse(
        index,
        updates[index] as Update,
        `account ${id} is not an account of tenant ${tenantId}`,
        "cross_tenant",
      );
  }
}

async function checkOwnership(
  engine: AuthzEngine,
  tenancy: TenancyConfig,
  tenantId: string,
  objects: { index: number; object: v1.ObjectReference; what: string }[],
  updates: Update[],
): Promise<void> {
  for (const { index, object, what } of objects) {
    const links = await tenantLinks(engine, tenancy, object);
    if (!links.includes(tenantId)) {
      refuse(
        index,
        updates[index] as Update,
        `${what} ${key(object)} does not belong to tenant ${tenantId}`,
        "cross_tenant",
      );
    }
  }
}

async function checkPermissions(
  engine: AuthzEngine,
  accountId: string,
  needs: { index: number; object: v1.ObjectReference; permission: string }[],
  updates: Update[],
): Promise<void> {
  if (needs.length === 0) return;
  const response = await engine.checkBulkPermissions(
    v1.CheckBulkPermissionsRequest.create({
      items: needs.map((n) => ({
        resource: n.object,
        permission: n.permission,
        subject: { object: { objectType: "account", objectId: accountId }, optionalRelation: "" },
      })),
    }),
  );
  needs.forEach((need, i) => {
    const pair = response.pairs[i]?.response;
    const granted =
      pair?.oneofKind === "item" &&
      pair.item.permissionship === v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION;
    if (!granted) {
      refuse(
        need.index,
        updates[need.index] as Update,
        `account:${accountId} lacks permission ${need.permission} on ${key(need.object)}`,
        "permission_denied",
        {
          permission: need.permission,
          resource: key(need.object),
        },
      );
    }
  });
}
