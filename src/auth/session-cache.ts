import { constantTimeEqual } from "@oslojs/crypto/subtle";
import type { StoreChanges } from "../store/store-changes.js";
import type { ValidatedSession } from "./sessions.js";

interface Entry {
  secretHash: Uint8Array;
  validated: ValidatedSession;
}

/**
 * Validated sessions kept in memory, so that a request with a known session costs a hash and a
 * map lookup instead of a query. Only for the SQLite store, where StoreChanges sees every change:
 * the whole cache is dropped on any write to the store, by this process or another, so a logout,
 * a sign-out everywhere, a switch of tenant or a disabled account counts from the very next
 * request. Not used with Postgres, where other replicas change sessions without telling this one.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private mark: string | undefined;

  constructor(
    private readonly changes: StoreChanges,
    private readonly maxEntries: number,
  ) {}

  /** The store's mark now, emptying the cache if it moved; hand it back to `set`. */
  current(): string {
    const mark = this.changes.mark();
    if (mark !== this.mark) {
      this.entries.clear();
      this.mark = mark;
    }
    return mark;
  }

  /** The session with this id, if cached and its secret's hash matches (compared in constant time). */
  get(id: string, secretHash: Uint8Array): ValidatedSession | undefined {
    this.current();
    const entry = this.entries.get(id);
    if (!entry || !constantTimeEqual(secretHash, entry.secretHash)) return undefined;
    return entry.validated;
  }

  /** Keeps a session read when the store was at `readAt`; ignored if the store has moved since. */
  set(id: string, secretHash: Uint8Array, validated: ValidatedSession, readAt: string): void {
    if (this.current() !== readAt) return;
    Object.freeze(validated.session);
    Object.freeze(validated.user);
    Object.freeze(validated.activeAccount);
    this.entries.set(id, { secretHash, validated: Object.freeze(validated) });
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }
}
