import { AsyncLocalStorage } from "node:async_hooks";
import type { v1 } from "@authzed/authzed-node";
import { formatRelationship } from "../authz/relationship-syntax.js";
import { secureRandomString } from "../lib/secure-random.js";
import type { AuditLogTable } from "../store/tables.js";

/** Who changes relationships, from where, and why: set by an action around its engine writes. */
export interface AuditActor {
  tenantId: string | null;
  actorType: "user" | "service" | "operator";
  actorId: string;
  accountId: string | null;
  ip: string | null;
  action: string;
}

interface Scope {
  actor: AuditActor;
  /** Engine requests already recorded, so that one write is never recorded twice. */
  recorded: WeakSet<object>;
  clock: () => number;
}

const storage = new AsyncLocalStorage<Scope>();
let sequence = 0;

/**
 * Runs `task` so that every relationship write it makes is recorded in the audit log, by the layer
 * that makes the write durable and in the same transaction: the embedded engine's SQLite commit,
 * or the Postgres transaction that records the write's zedtoken.
 */
export function withAudit<T>(
  actor: AuditActor,
  clock: () => number,
  task: () => Promise<T>,
): Promise<T> {
  return storage.run({ actor, recorded: new WeakSet(), clock }, task);
}

/** The audit row for an engine request about to be committed, unless it is not audited or done. */
export function claimAuditRow(
  request: v1.WriteRelationshipsRequest | v1.DeleteRelationshipsRequest,
  token: string | undefined,
): AuditLogTable | undefined {
  const scope = storage.getStore();
  if (!scope || scope.recorded.has(request)) return undefined;
  scope.recorded.add(request);
  const at = scope.clock();
  return {
    // Sorts by time, then by order within this process; unique by the random tail. The id is
    // also the pagination cursor.
    id: `${at.toString().padStart(15, "0")}-${(sequence++ % 1e9).toString().padStart(9, "0")}-${secureRandomString()}`,
    tenant_id: scope.actor.tenantId,
    at,
    actor_type: scope.actor.actorType,
    actor_id: scope.actor.actorId,
    account_id: scope.actor.accountId,
    ip: scope.actor.ip,
    action: scope.actor.action,
    updates: JSON.stringify(describe(request)),
    zedtoken: token ?? null,
  };
}

function describe(request: v1.WriteRelationshipsRequest | v1.DeleteRelationshipsRequest): unknown {
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
