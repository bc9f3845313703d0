import { readFileSync } from "node:fs";
import { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import type { AuthzEngine } from "./engine.js";
import { toEngineError } from "./engine-error.js";

export interface RemoteEngineOptions {
  endpoint: string;
  presharedKey: string;
  insecure: boolean;
  caFile?: string | undefined;
  timeoutMs: number;
}

/**
 * A SpiceDB cluster over gRPC, through the official client.
 *
 * NOTE: every call carries a deadline (timeoutMs) so that a hung SpiceDB becomes a fast 503, and
 * the channel's reconnect backoff is capped at one second so that a restarted SpiceDB is found
 * again within seconds rather than gRPC's default of up to two minutes.
 */
export class RemoteEngine implements AuthzEngine {
  readonly kind = "remote" as const;
  private readonly client: v1.ZedClientInterface;

  constructor(options: RemoteEngineOptions) {
    const channelOptions: grpc.ClientOptions = {
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1000,
      "grpc.min_reconnect_backoff_ms": 100,
      "grpc.keepalive_time_ms": 30_000,
      "grpc.keepalive_timeout_ms": 5_000,
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
      interceptors: [deadlineInterceptor(options.timeoutMs)],
    };
    if (options.caFile) {
      this.client = v1.NewClientWithCustomCert(
        options.presharedKey,
        options.endpoint,
        readFileSync(options.caFile),
        undefined,
        channelOptions,
      );
    } else {
      this.client = v1.NewClient(
        options.presharedKey,
        options.endpoint,
        options.insecure
          ? v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS
          : v1.ClientSecurity.SECURE,
        undefined,
        channelOptions,
      );
    }
  }

  private async call<T>(run: (promises: v1.ZedPromiseClientInterface) => Promise<T>): Promise<T> {
    try {
      return await run(this.client.promises);
    } catch (error) {
      throw toEngineError(error);
    }
  }

  checkPermission(request: v1.CheckPermissionRequest) {
    return this.call((c) => c.checkPermission(request));
  }
  checkBulkPermissions(request: v1.CheckBulkPermissionsRequest) {
    return this.call((c) => c.checkBulkPermissions(request));
  }
  lookupResources(request: v1.LookupResourcesRequest) {
    return this.call((c) => c.lookupResources(request));
  }
  lookupSubjects(request: v1.LookupSubjectsRequest) {
    return this.call((c) => c.lookupSubjects(request));
  }
  expandPermissionTree(request: v1.ExpandPermissionTreeRequest) {
    return this.call((c) => c.expandPermissionTree(request));
  }
  readRelationships(request: v1.ReadRelationshipsRequest) {
    return this.call((c) => c.readRelationships(request));
  }
  writeRelationships(request: v1.WriteRelationshipsRequest) {
    return this.call((c) => c.writeRelationships(request));
  }
  deleteRelationships(request: v1.DeleteRelationshipsRequest) {
    return this.call((c) => c.deleteRelationships(request));
  }
  async readSchema(): Promise<string> {
    try {
      return (await this.call((c) => c.readSchema(v1.ReadSchemaRequest.create()))).schemaText;
    } catch (error) {
      if (toEngineError(error).kind === "not_found") return "";
      throw error;
    }
  }
  writeSchema(schema: string) {
    return this.call((c) => c.writeSchema(v1.WriteSchemaRequest.create({ schema })));
  }
  async close(): Promise<void> {
    this.client.close();
  }
}

/** Sets a deadline on every call that does not already have one. */
function deadlineInterceptor(timeoutMs: number): grpc.Interceptor {
  return (options, next) => {
    if (!options.deadline) options.deadline = Date.now() + timeoutMs;
    return new grpc.InterceptingCall(next(options));
  };
}
