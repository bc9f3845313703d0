import type { v1 } from "@authzed/authzed-node";
import type { AuthzEngine, WriteOptions } from "../authz/engine.js";
import { toEngineError } from "../authz/engine-error.js";
import type { Metrics } from "./metrics.js";

/** Times every engine call and counts its errors by gRPC status; otherwise passes through. */
export class MeteredEngine implements AuthzEngine {
  constructor(
    private readonly inner: AuthzEngine,
    private readonly metrics: Metrics,
  ) {}

  get kind() {
    return this.inner.kind;
  }

  private async timed<T>(method: string, call: () => Promise<T>): Promise<T> {
    const stop = this.metrics.engineDuration.startTimer({ method });
    try {
      return await call();
    } catch (error) {
      this.metrics.engineErrors.inc({ method, code: String(toEngineError(error).grpcCode) });
      throw error;
    } finally {
      stop();
    }
  }

  checkPermission(request: v1.CheckPermissionRequest) {
    return this.timed("CheckPermission", () => this.inner.checkPermission(request));
  }
  checkBulkPermissions(request: v1.CheckBulkPermissionsRequest) {
    return this.timed("CheckBulkPermissions", () => this.inner.checkBulkPermissions(request));
  }
  lookupResources(request: v1.LookupResourcesRequest) {
    return this.timed("LookupResources", () => this.inner.lookupResources(request));
  }
  lookupSubjects(request: v1.LookupSubjectsRequest) {
    return this.timed("LookupSubjects", () => this.inner.lookupSubjects(request));
  }
  expandPermissionTree(request: v1.ExpandPermissionTreeRequest) {
    return this.timed("ExpandPermissionTree", () => this.inner.expandPermissionTree(request));
  }
  readRelationships(request: v1.ReadRelationshipsRequest) {
    return this.timed("ReadRelationships", () => this.inner.readRelationships(request));
  }
  writeRelationships(request: v1.WriteRelationshipsRequest, options?: WriteOptions) {
    return this.timed("WriteRelationships", () => this.inner.writeRelationships(request, options));
  }
  deleteRelationships(request: v1.DeleteRelationshipsRequest, options?: WriteOptions) {
    return this.timed("DeleteRelationships", () =>
      this.inner.deleteRelationships(request, options),
    );
  }
  readSchema() {
    return this.timed("ReadSchema", () => this.inner.readSchema());
  }
  writeSchema(schema: string) {
    return this.timed("WriteSchema", () => this.inner.writeSchema(schema));
  }
  close() {
    return this.inner.close();
  }
}
