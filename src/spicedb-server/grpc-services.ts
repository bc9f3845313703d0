import { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import type { AuthzEngine } from "../authz/engine.js";
import { EngineError, toEngineError } from "../authz/engine-error.js";
import type { WatchProxy } from "./watch-proxy.js";

/** A protobuf-ts service descriptor, as @authzed/authzed-node generates one per v1 service. */
type ServiceType = typeof v1.PermissionsService;

/**
 * A grpc-js service definition built from the descriptor @authzed/authzed-node ships: SpiceDB's
 * own paths (`/authzed.api.v1.PermissionsService/CheckPermission`) and wire format, so any
 * SpiceDB client can call it.
 */
export function serviceDefinition(service: ServiceType): grpc.ServiceDefinition {
  return Object.fromEntries(
    service.methods.map((method) => [
      method.name,
      {
        path: `/${service.typeName}/${method.name}`,
        requestStream: method.clientStreaming,
        responseStream: method.serverStreaming,
        requestSerialize: (message: object) => Buffer.from(method.I.toBinary(message)),
        requestDeserialize: (bytes: Buffer) => method.I.fromBinary(bytes),
        responseSerialize: (message: object) => Buffer.from(method.O.toBinary(message)),
        responseDeserialize: (bytes: Buffer) => method.O.fromBinary(bytes),
        originalName: method.localName,
      },
    ]),
  );
}

/** The engine's error, with its gRPC code and message, as the status the client receives. */
export function statusOf(error: unknown): grpc.StatusObject {
  const engineError = toEngineError(error);
  return {
    code: engineError.grpcCode,
    details: engineError.message,
    metadata: new grpc.Metadata(),
  };
}

function unary<I, O>(run: (request: I) => Promise<O>): grpc.handleUnaryCall<I, O> {
  return (call, callback) => {
    run(call.request).then(
      (response) => callback(null, response),
      (error: unknown) => callback(statusOf(error)),
    );
  };
}

/**
 * Streams what the engine answered, one message at a time, waiting whenever the client is slow
 * to read. The engine computes the whole answer first (it returns arrays); a client that pages
 * with `optionalLimit` and `optionalCursor` keeps each answer small.
 */
function serverStreaming<I, O>(
  run: (request: I) => Promise<O[]>,
): grpc.handleServerStreamingCall<I, O> {
  return async (call) => {
    let responses: O[];
    try {
      responses = await run(call.request);
    } catch (error) {
      call.emit("error", statusOf(error));
      return;
    }
    for (const response of responses) {
      if (call.cancelled) return;
      if (!call.write(response)) await drainedOrCancelled(call);
    }
    call.end();
  };
}

function drainedOrCancelled(call: grpc.ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      call.off("cancelled", done);
      resolve();
    };
    call.on("drain", done);
    call.on("cancelled", done);
  });
}

/** What a method this server does not serve answers: UNIMPLEMENTED, saying why. */
function unsupported(service: ServiceType, name: string, hint = ""): grpc.UntypedHandleCall {
  const status = {
    code: grpc.status.UNIMPLEMENTED,
    details: `${service.typeName}/${name} is not served by tenantgate's development SpiceDB server (a single-node server for development and tests; production uses a SpiceDB cluster)${hint ? `: ${hint}` : ""}`,
    metadata: new grpc.Metadata(),
  };
  const method = service.methods.find((m) => m.name === name);
  if (method?.serverStreaming) {
    return (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit("error", status);
  }
  return (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(status);
}

/**
 * Every method of `service`: the handlers given, and UNIMPLEMENTED with a clear message for the
 * rest (so a newer @authzed/authzed-node that adds methods cannot leave one silently unanswered
 * or a handler named after a method that does not exist).
 */
function implementation(
  service: ServiceType,
  handlers: Record<string, grpc.UntypedHandleCall>,
  hints: Record<string, string> = {},
): grpc.UntypedServiceImplementation {
  const names = new Set(service.methods.map((m) => m.name));
  for (const name of Object.keys(handlers)) {
    if (!names.has(name)) throw new Error(`${service.typeName} has no method ${name}`);
  }
  return Object.fromEntries(
    service.methods.map((m) => [
      m.name,
      handlers[m.name] ?? unsupported(service, m.name, hints[m.name]),
    ]),
  );
}

const NO_SCHEMA = "No schema has been defined; please call WriteSchema to start";

/**
 * Adds SpiceDB's PermissionsService, SchemaService and WatchService to `server`, answered by
 * `engine` (Watch by `watch`, the embedded SpiceDB's own Watch). ExperimentalService is there
 * only to answer UNIMPLEMENTED clearly.
 */
export function addSpicedbServices(
  server: grpc.Server,
  engine: AuthzEngine,
  watch: WatchProxy,
): void {
  const { PermissionsService, SchemaService, WatchService, ExperimentalService } = v1;
  server.addService(
    serviceDefinition(PermissionsService),
    implementation(
      PermissionsService,
      {
        CheckPermission: unary((r: v1.CheckPermissionRequest) => engine.checkPermission(r)),
        CheckBulkPermissions: unary((r: v1.CheckBulkPermissionsRequest) =>
          engine.checkBulkPermissions(r),
        ),
        ExpandPermissionTree: unary((r: v1.ExpandPermissionTreeRequest) =>
          engine.expandPermissionTree(r),
        ),
        WriteRelationships: unary((r: v1.WriteRelationshipsRequest) =>
          engine.writeRelationships(r),
        ),
        DeleteRelationships: unary((r: v1.DeleteRelationshipsRequest) =>
          engine.deleteRelationships(r),
        ),
        ReadRelationships: serverStreaming((r: v1.ReadRelationshipsRequest) =>
          engine.readRelationships(r),
        ),
        LookupResources: serverStreaming((r: v1.LookupResourcesRequest) =>
          engine.lookupResources(r),
        ),
        LookupSubjects: serverStreaming((r: v1.LookupSubjectsRequest) => engine.lookupSubjects(r)),
      },
      {
        ImportBulkRelationships: "use WriteRelationships (up to 1,000 updates a call)",
        ExportBulkRelationships: "use ReadRelationships with optionalLimit and optionalCursor",
      },
    ),
  );
  server.addService(
    serviceDefinition(SchemaService),
    implementation(SchemaService, {
      ReadSchema: unary(async () => {
        const schemaText = await engine.readSchema();
        // What SpiceDB answers before the first WriteSchema.
        if (!schemaText) throw new EngineError(grpc.status.NOT_FOUND, NO_SCHEMA);
        return v1.ReadSchemaResponse.create({ schemaText });
      }),
      WriteSchema: unary((r: v1.WriteSchemaRequest) => engine.writeSchema(r.schema)),
    }),
  );
  server.addService(
    serviceDefinition(WatchService),
    implementation(WatchService, { Watch: watch.handler }),
  );
  server.addService(
    serviceDefinition(ExperimentalService),
    implementation(ExperimentalService, {}),
  );
}
