import type { v1 } from "@authzed/authzed-node";
import type { BatchedResult } from "./check-batcher.js";

export interface DecisionValidity {
  /** The freshness generation decisions are valid for: the zedtoken of the newest write. */
  generation(): string | Promise<string>;
  /** Until when a decision taken now stays true even without any write. */
  validUntil(now: number): number;
}

/**
 * Remembers check decisions so that repeated questions do not each cost engine work.
 *
 * NOTE: a decision is cached under the generation it was asked in (the zedtoken of tenantgate's
 * newest write, the same token FreshEngine makes every read at least as fresh as). Any write
 * through tenantgate changes the generation, so a cached decision can never outlive a change
 * tenantgate acknowledged: no stale allow. The other thing that changes decisions without a
 * write is time (relationship expiration): with the embedded engine every expiration time is in
 * SQLite and entries end at the next one; with a remote engine they end after a short TTL.
 * Writes made to SpiceDB directly, bypassing tenantgate, are not seen (as with FreshEngine).
 */
export class DecisionCache {
  private readonly entries = new Map<
    string,
    { result: BatchedResult; validUntil: number; inserted: number }
  >();
  private insertions = 0;

  constructor(
    private readonly validity: DecisionValidity,
    private readonly maxEntries: number,
    private readonly clock: () => number,
  ) {}

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  generation(): string | Promise<string> {
    return this.validity.generation();
  }

  static key(generation: string, item: v1.CheckBulkPermissionsRequestItem): string {
    const r = item.resource;
    const s = item.subject;
    const context = item.context ? JSON.stringify(item.context) : "";
    return `${generation}\n${r?.objectType}:${r?.objectId}#${item.permission}@${s?.object?.objectType}:${s?.object?.objectId}#${s?.optionalRelation ?? ""}\n${context}`;
  }

  get(key: string): BatchedResult | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.validUntil > this.clock()) {
      // Map order is the eviction order. An entry used again is moved to the young end once it
      // has aged through half the cache: hot entries are never evicted, and a hit costs no Map
      // writes (re-inserting on every hit was measurable on the warm check path).
      if (this.insertions - entry.inserted > this.maxEntries / 2) {
        this.entries.delete(key);
        entry.inserted = ++this.insertions;
        this.entries.set(key, entry);
      }
      return entry.result;
    }
    if (entry) this.entries.delete(key);
    return undefined;
  }

  set(key: string, result: BatchedResult): void {
    if (!this.enabled || result.pair.response.oneofKind !== "item") return;
    this.entries.set(key, {
      result,
      validUntil: this.validity.validUntil(this.clock()),
      inserted: ++this.insertions,
    });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
