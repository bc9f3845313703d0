import type { StoreChanges } from "../data/store-changes.js";
import type { ValidatedSession } from "./sessions.js";

interface Entry {
  secret: string;
  validated: ValidatedSession;
}

/** Compares two secrets in time that depends on their length only. */
function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Validated sessions kept in memory, so that a request with a known session costs a hash and a
 * map lookup instead of a query. Only for the SQLite store, where StoreChanges sees every change:
 * the whole cache is dropped on any write to the store, by this process or another, so a logout,
 * a sign-out everywhere, a switch of tenant or a disabled account counts from the very next
 * request. Not used with Postgres, where other replicas change sessions without telling this one.
 *
 * An entry holds the session's secret itself, compared in constant time, so that a hit costs no
 * SHA-256 (the largest part of a hit when it did). The secret is in this process's memory while
 * the request that carries it is served anyway; what is stored at rest stays the hash.
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

  /** The session with this id, if cached and the secret is its own. */
  get(id: string, secret: string): ValidatedSession | undefined {
    this.current();
    const entry = this.entries.get(id);
    if (!entry || !sameSecret(secret, entry.secret)) return undefined;
    return entry.validated;
  }

  /** Keeps a session read when the store was at `readAt`; ignored if the store has moved since. */
  set(id: string, secret: string, validated: ValidatedSession, readAt: string): void {
    if (this.current() !== readAt) return;
    Object.freeze(validated.session);
    Object.freeze(validated.user);
    Object.freeze(validated.activeAccount);
    this.entries.set(id, { secret, validated: Object.freeze(validated) });
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }
}
