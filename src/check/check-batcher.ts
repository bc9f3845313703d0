import { v1 } from "@authzed/authzed-node";
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { AuthzEngine } from "../authz/engine.js";
import { EngineError, toEngineError } from "../authz/engine-error.js";
import type { Metrics } from "../metrics/metrics.js";

/** One item's outcome: its pair (a result or a per-item error) and the batch's zedtoken. */
export interface BatchedResult {
  pair: v1.CheckBulkPermissionsPair;
  checkedAt: string | undefined;
}

interface Pending {
  item: v1.CheckBulkPermissionsRequestItem;
  resolve: (result: BatchedResult) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;
const MAX_IN_FLIGHT = 2;

/**
 * Coalesces concurrent permission checks into CheckBulkPermissions calls.
 *
 * NOTE: one engine call has a fixed cost (~0.6 ms in the embedded engine, a network round trip
 * remotely) and each item in a bulk call a small one (~60 µs). Under load, checks that arrive
 * while a batch is in flight wait for the next batch instead of each paying the fixed cost; with
 * at most two batches in flight the batches grow with the load. A lone check goes out on the next
 * turn of the event loop, so an idle service adds no latency worth measuring. All checks in a
 * batch share one consistency: each request gets the same freshness rule (see FreshEngine), so
 * batching never weakens it.
 */
export class CheckBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly engine: AuthzEngine,
    private readonly metrics?: Metrics,
    /**
     * How long a check may take from its arrival here (SPICEDB_TIMEOUT_MS); 0 for no limit. The
     * engine's own deadline starts only when a batch is sent, so while a hung SpiceDB holds both
     * batches in flight, a check queued behind them would wait up to twice as long.
     */
    private readonly deadlineMs = 0,
  ) {}

  /** Checks one item; resolves with its pair (which carries either a result or a per-item error). */
  check(item: v1.CheckBulkPermissionsRequestItem): Promise<BatchedResult> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { item, resolve, reject };
      if (this.deadlineMs > 0) {
        const timer = setTimeout(() => {
          const queued = this.queue.indexOf(pending);
          if (queued >= 0) this.queue.splice(queued, 1);
          reject(
            new EngineError(
              GrpcStatus.DEADLINE_EXCEEDED,
              `no answer within ${this.deadlineMs} ms (SPICEDB_TIMEOUT_MS)`,
            ),
          );
        }, this.deadlineMs);
        pending.resolve = (result) => {
          clearTimeout(timer);
          resolve(result);
        };
        pending.reject = (error) => {
          clearTimeout(timer);
          reject(error);
        };
      }
      this.queue.push(pending);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      this.send(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  /**
   * Sends one batch. When the call fails as a whole for any reason but an outage, one item is to
   * blame (SpiceDB checks some things, such as the size of a caveat context, for the whole
   * request): the batch is split in halves and each is sent again, so the bad item fails alone,
   * in about log2(n) extra calls, and every other caller gets its answer.
   */
  private async send(batch: Pending[]): Promise<void> {
    this.metrics?.checkBatchSize.observe(batch.length);
    try {
      const response = await this.engine.checkBulkPermissions(
        v1.CheckBulkPermissionsRequest.create({ items: batch.map((p) => p.item) }),
      );
      batch.forEach((pending, index) => {
        const pair = response.pairs[index];
        if (pair) pending.resolve({ pair, checkedAt: response.checkedAt?.token });
        else pending.reject(new Error("engine returned fewer results than checks"));
      });
    } catch (error) {
      if (batch.length > 1 && !toEngineError(error).outage) {
        const half = Math.ceil(batch.length / 2);
        await Promise.all([this.send(batch.slice(0, half)), this.send(batch.slice(half))]);
        return;
      }
      for (const pending of batch) pending.reject(error);
    }
  }
}
