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
  /** Answered already: by its deadline, or by its batch. */
  settled: boolean;
}

const MAX_BATCH = 500;

interface BatcherOptions {
  /** Bulk calls in flight at once; checks arriving meanwhile wait and form the next batch. */
  maxInFlight?: number;
  /**
   * A check still unanswered this long after it was asked fails with DEADLINE_EXCEEDED (a 503),
   * time spent waiting for a batch included. 0: no limit of the batcher's own.
   */
  deadlineMs?: number;
}

/**
 * Coalesces concurrent permission checks into CheckBulkPermissions calls.
 *
 * NOTE: one engine call has a fixed cost (a network round trip remotely), and inside SpiceDB a
 * bulk call costs about one permission walk per distinct (subject, permission) in it: items of
 * one subject are grouped into one dispatch. In the embedded engine that walk scans whole
 * relations (docs/benchmarks.md, "Where the time goes"), so a batch of 32 checks costs little
 * more than a batch of 16 with the same askers. Under load, checks that arrive while a batch is
 * in flight wait for the next batch instead of each paying for a walk; the fewer batches in
 * flight, the larger they grow. The embedded engine runs one at a time (its Go code spreads one
 * bulk call over the cores by itself); a remote one keeps two in flight to cover the round trip.
 * A lone check goes out on the next turn of the event loop, so an idle service adds no latency
 * worth measuring. All checks in a batch share one consistency: each request gets the same
 * freshness rule (see FreshEngine), so batching never weakens it.
 */
export class CheckBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly deadlineMs: number;

  constructor(
    private readonly engine: AuthzEngine,
    private readonly metrics?: Metrics,
    { maxInFlight = 2, deadlineMs = 0 }: BatcherOptions = {},
  ) {
    this.maxInFlight = maxInFlight;
    this.deadlineMs = deadlineMs;
  }

  /**
   * Checks one item; resolves with its pair (which carries either a result or a per-item error).
   *
   * NOTE: the engine's own deadline (SPICEDB_TIMEOUT_MS) starts when a batch is sent; under
   * overload a check may first wait for several batches, so without a deadline of its own an
   * answer could take a multiple of it. An expired check is answered with DEADLINE_EXCEEDED at
   * once, and left out of any batch not yet sent.
   */
  check(item: v1.CheckBulkPermissionsRequestItem): Promise<BatchedResult> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const pending: Pending = {
        item,
        settled: false,
        resolve: (result) => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(timer);
          reject(error);
        },
      };
      if (this.deadlineMs > 0) {
        timer = setTimeout(
          () =>
            pending.reject(
              new EngineError(
                GrpcStatus.DEADLINE_EXCEEDED,
                `no answer within ${this.deadlineMs} ms (waiting for a batch included)`,
              ),
            ),
          this.deadlineMs,
        );
      }
      this.queue.push(pending);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH).filter((p) => !p.settled);
      if (batch.length === 0) continue;
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
  private async send(all: Pending[]): Promise<void> {
    // A half sent again leaves out what its deadline has answered meanwhile.
    const batch = all.filter((p) => !p.settled);
    if (batch.length === 0) return;
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
