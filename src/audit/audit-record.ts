import type { v1 } from "@authzed/authzed-node";
import { formatRelationship } from "../authz/relationship-syntax.js";
import type { AuditLogTable } from "../data/tables.js";
import { secureRandomString } from "../lib/secure-random.js";

/** Who changes relationships, from where, and why. */
export interface AuditActor {
  tenantId: string | null;
  actorType: "user" | "service" | "operator";
  actorId: string;
  accountId: string | null;
  ip: string | null;
  action: string;
}

/**
 * What an engine write carries to be audited: the actor and the moment. The layer that makes the
 * write durable records the row in the same transaction (see AuthzEngine.writeRelationships).
 */
export interface AuditContext extends AuditActor {
  at: number;
}

let sequence = 0;

/**
 * The audit row of one change: an engine write (`describeWrite(request)`, with its resulting
 * zedtoken) or an identity change such as an invitation (its own description, no token).
 */
export function auditRow(
  audit: AuditContext,
  details: unknown,
  token: string | undefined,
): AuditLogTable {
  return {
    // Sorts by time, then by order within this process; unique by the random tail. The id is
    // also the pagination cursor.
    id: `${audit.at.toString().padStart(15, "0")}-${(sequence++ % 1e9).toString().padStart(9, "0")}-${secureRandomString()}`,
    tenant_id: audit.tenantId,
    at: audit.at,
    actor_type: audit.actorType,
    actor_id: audit.actorId,
    account_id: audit.accountId,
    ip: audit.ip,
    action: audit.action,
    updates: JSON.stringify(details),
    zedtoken: token ?? null,
  };
}

/** An engine write as the audit log records it: its updates, or its delete filter. */
export function describeWrite(
  request: v1.WriteRelationshipsRequest | v1.DeleteRelationshipsRequest,
): unknown {
  if ("updates" in request) {
    return request.updates.map((u) => ({
      operation: ["unspecified", "create", "touch", "delete"][u.operation] ?? String(u.operation),
      relationship: u.relationship ? formatRelationship(u.relationship) : null,
    }));
  }
  const f = request.relationshipFilter;
  const subject = f?.optionalSubjectFilter;
  return {
    deleteFilter: {
      resourceType: f?.resourceType,
      resourceId: f?.optionalResourceId || undefined,
      relation: f?.optionalRelation || undefined,
      subject: subject
        ? `${subject.subjectType}${subject.optionalSubjectId ? `:${subject.optionalSubjectId}` : ""}${subject.optionalRelation?.relation ? `#${subject.optionalRelation.relation}` : ""}`
        : undefined,
    },
  };
}
