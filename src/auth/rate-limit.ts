/**
 * Token buckets kept in this process's memory (Lucia's rate-limit guide). Each key may spend
 * `capacity` tokens at once and gets them back at `capacity / windowMs`.
 *
 * NOTE: with several replicas each keeps its own buckets, so the effective limit is the
 * configured one times the replica count; docs/operations.md says so. Good enough to stop
 * online guessing; a shared store can replace this without changing callers.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number }>();

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; returns 0 if allowed, otherwise the seconds until one is back. */
  consume(key: string): number {
    const now = this.clock();
    const refillPerMs = this.capacity / this.windowMs;
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, refilledAt: now };
    bucket.tokens = Math.min(
      this.capacity,
      // A clock stepped backwards (NTP) refills nothing rather than draining the bucket.
      bucket.tokens + Math.max(0, now - bucket.refilledAt) * refillPerMs,
    );
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      this.prune(now);
      return 0;
    }
    this.buckets.set(key, bucket);
    return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
  }

  /** Forgets buckets that are full again, so memory stays bounded by recent activity. */
  private prune(now: number): void {
    if (this.buckets.size < 10_000) return;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.refilledAt > this.windowMs) this.buckets.delete(key);
    }
  }
}
