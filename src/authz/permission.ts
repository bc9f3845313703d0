import { v1 } from "@authzed/authzed-node";
import { ForbiddenError } from "../lib/errors.js";
import type { AuthzEngine } from "./engine.js";
import { parseObjectReference, parseSubjectReference } from "./relationship-syntax.js";

export interface PermissionQuery {
  /** `tenant:t1`, `project:p1` */
  resource: string;
  permission: string;
  /** `account:a1` */
  subject: string;
}

/**
 * Asks SpiceDB whether the subject has the permission. The engine (FreshEngine) reads at least
 * as fresh as tenantgate's newest write, so a decision here sees every acknowledged change. Only
 * a definite HAS_PERMISSION counts; a conditional answer (missing caveat context) is a no.
 */
export async function hasPermission(engine: AuthzEngine, query: PermissionQuery): Promise<boolean> {
  const response = await engine.checkPermission(
    v1.CheckPermissionRequest.create({
      resource: parseObjectReference(query.resource),
      permission: query.permission,
      subject: parseSubjectReference(query.subject),
    }),
  );
  return response.permissionship === v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION;
}

/** Throws a 403 problem naming the permission unless SpiceDB grants it. */
export async function requirePermission(
  engine: AuthzEngine,
  query: PermissionQuery,
): Promise<void> {
  if (!(await hasPermission(engine, query))) {
    throw new ForbiddenError(
      `${query.subject} lacks permission ${query.permission} on ${query.resource}`,
      "permission_denied",
      {
        resource: query.resource,
        permission: query.permission,
      },
    );
  }
}
