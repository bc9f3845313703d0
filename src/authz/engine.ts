import type { v1 } from "@authzed/authzed-node";
import type { AuditContext } from "../audit/audit-record.js";

/**
 * What a relationship write carries besides the request. With `audit`, the layer that makes the
 * write durable records the audit row in the same transaction as the change.
 */
export interface WriteOptions {
  audit?: AuditContext | undefined;
}

/**
 * The authorization engine, in SpiceDB's own request and response types. Two implementations:
 * the embedded engine (SpiceDB in-process, relationships mirrored durably in SQLite) and the
 * remote engine (a SpiceDB cluster over gRPC). Everything above this interface is the same for
 * both.
 */
export interface AuthzEngine {
  readonly kind: "embedded" | "remote";
  checkPermission(request: v1.CheckPermissionRequest): Promise<v1.CheckPermissionResponse>;
  checkBulkPermissions(
    request: v1.CheckBulkPermissionsRequest,
  ): Promise<v1.CheckBulkPermissionsResponse>;
  lookupResources(request: v1.LookupResourcesRequest): Promise<v1.LookupResourcesResponse[]>;
  lookupSubjects(request: v1.LookupSubjectsRequest): Promise<v1.LookupSubjectsResponse[]>;
  expandPermissionTree(
    request: v1.ExpandPermissionTreeRequest,
  ): Promise<v1.ExpandPermissionTreeResponse>;
  readRelationships(request: v1.ReadRelationshipsRequest): Promise<v1.ReadRelationshipsResponse[]>;
  /** Atomic: every update applies, or none does (preconditions included). */
  writeRelationships(
    request: v1.WriteRelationshipsRequest,
    options?: WriteOptions,
  ): Promise<v1.WriteRelationshipsResponse>;
  deleteRelationships(
    request: v1.DeleteRelationshipsRequest,
    options?: WriteOptions,
  ): Promise<v1.DeleteRelationshipsResponse>;
  /** The deployed schema text, or "" when none has been written. */
  readSchema(): Promise<string>;
  writeSchema(schema: string): Promise<v1.WriteSchemaResponse>;
  close(): Promise<void>;
}
