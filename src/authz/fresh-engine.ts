import type { v1 } from "@authzed/authzed-node";
import { type AuditContext, auditRow, describeWrite } from "../audit/audit-record.js";
import { appendAuditRow } from "../audit/store.js";
import type { Store } from "../data/database.js";
import type { AuthzEngine, WriteOptions } from "./engine.js";
import { lockFreshnessToken, readFreshnessToken, recordFreshnessToken } from "./freshness-store.js";

/**
 * "No stale allow": once tenantgate acknowledges a write (a removed member, a revoked grant),
 * every later read through any tenantgate process must reflect it, even when the caller passes
 * no zedtoken.
 *
 * NOTE: this decorator records the zedtoken of every write in the identity store, which every
 * replica shares (Postgres in production), and gives every read that does not ask for full
 * consistency `at_least_as_fresh` that token. Writes are serialised (a row lock in Postgres, a
 * queue in-process with SQLite, which only one process can use) so the stored token is always
 * the newest: two writers cannot record their tokens out of order. Reads cost one small query
 * for the token.
 */
export class FreshEngine implements AuthzEngine {
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Without a shared store only this process writes, so the newest token is known here and reads
   * need not ask the database. undefined: not loaded yet.
   */
  private localToken: string | undefined;
  /** Writes this process has attempted, settled either way (see `generation`). */
  private attempts = 0;
  private readonly shared: boolean;
  private readonly clock: () => number;
  private readonly auditedBelow: boolean;

  constructor(
    private readonly inner: AuthzEngine,
    private readonly store: Store,
    options: {
      /** The store is shared by several replicas (Postgres). */
      shared: boolean;
      clock?: () => number;
      /** The engine below commits audit rows itself (the embedded engine on the same SQLite file). */
      auditedBelow?: boolean;
    },
  ) {
    this.shared = options.shared;
    this.clock = options.clock ?? Date.now;
    this.auditedBelow = options.auditedBelow ?? false;
  }

  get kind() {
    return this.inner.kind;
  }

  /**
   * Forgets the stored token. The embedded engine starts a new datastore on every start, which
   * does not know the previous one's tokens; what it loaded is the newest state anyway.
   */
  async reset(): Promise<void> {
    await recordFreshnessToken(this.store, "", 0);
    this.localToken = "";
  }

  /**
   * The zedtoken of the newest acknowledged write, if any: at once when only this process writes
   * (every check asks), else from the shared store.
   */
  latestToken(): string | undefined | Promise<string | undefined> {
    if (!this.shared && this.localToken !== undefined) return this.localToken || undefined;
    return this.readLatestToken();
  }

  /**
   * What cached decisions are keyed by: the newest token, and the number of writes this process
   * attempted. A write that reached the engine but failed afterwards (SpiceDB applied it, the
   * store could not record it) moves no token, yet may have changed a decision.
   */
  generation(): string | Promise<string> {
    const token = this.latestToken();
    return token instanceof Promise
      ? token.then((t) => `${t ?? ""}#${this.attempts}`)
      : `${token ?? ""}#${this.attempts}`;
  }

  private async readLatestToken(): Promise<string | undefined> {
    const token = await readFreshnessToken(this.store);
    if (!this.shared) this.localToken = token;
    return token || undefined;
  }

  /** The consistency a read runs at: full if asked, else at least as fresh as our newest write. */
  async consistencyFor(requested: v1.Consistency | undefined): Promise<v1.Consistency> {
    if (requested?.requirement.oneofKind === "fullyConsistent") return requested;
    const token = await this.latestToken();
    if (token) return { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token } } };
    if (requested?.requirement.oneofKind === "atLeastAsFresh") return requested;
    return { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
  }

  /**
   * Runs one write under the write lock and records its token, and its audit row unless the
   * engine below already committed one with the change (the embedded engine does).
   */
  private async recordedWrite<T>(
    audited:
      | {
          audit: AuditContext;
          request: v1.WriteRelationshipsRequest | v1.DeleteRelationshipsRequest;
        }
      | undefined,
    write: () => Promise<T>,
    tokenOf: (result: T) => string | undefined,
  ): Promise<T> {
    // Built before the write: nothing that can fail comes between SpiceDB's change and its record.
    const auditDraft =
      audited && !this.auditedBelow
        ? auditRow(audited.audit, describeWrite(audited.request), undefined)
        : undefined;
    const record = async (store: Store, result: T) => {
      const token = tokenOf(result);
      if (auditDraft) await appendAuditRow(store, { ...auditDraft, zedtoken: token ?? null });
      if (!token) return;
      await recordFreshnessToken(store, token, this.clock());
      if (!this.shared) this.localToken = token;
    };
    const run = async () => {
      try {
        if (!this.shared) {
          const result = await write();
          await record(this.store, result);
          return result;
        }
        return await this.store.transaction().execute(async (tx) => {
          await lockFreshnessToken(tx);
          const result = await write();
          await record(tx, result);
          return result;
        });
      } finally {
        this.attempts++;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Waits for the writes in flight (before the engines below are closed). */
  async drain(): Promise<void> {
    await this.queue;
  }

  writeRelationships(request: v1.WriteRelationshipsRequest, options: WriteOptions = {}) {
    return this.recordedWrite(
      options.audit ? { audit: options.audit, request } : undefined,
      () => this.inner.writeRelationships(request, options),
      (r) => r.writtenAt?.token,
    );
  }
  deleteRelationships(request: v1.DeleteRelationshipsRequest, options: WriteOptions = {}) {
    return this.recordedWrite(
      options.audit ? { audit: options.audit, request } : undefined,
      () => this.inner.deleteRelationships(request, options),
      (r) => r.deletedAt?.token,
    );
  }
  writeSchema(schema: string) {
    return this.recordedWrite(
      undefined,
      () => this.inner.writeSchema(schema),
      (r) => r.writtenAt?.token,
    );
  }

  async checkPermission(request: v1.CheckPermissionRequest) {
    return this.inner.checkPermission({
      ...request,
      consistency: await this.consistencyFor(request.consistency),
    });
  }
  async checkBulkPermissions(request: v1.CheckBulkPermissionsRequest) {
    return this.inner.checkBulkPermissions({
      ...request,
      consistency: await this.consistencyFor(request.consistency),
    });
  }
  async lookupResources(request: v1.LookupResourcesRequest) {
    return this.inner.lookupResources({
      ...request,
      consistency: await this.consistencyFor(request.consistency),
    });
  }
  async lookupSubjects(request: v1.LookupSubjectsRequest) {
    return this.inner.lookupSubjects({
      ...request,
      consistency: await this.consistencyFor(request.consistency),
    });
  }
  async expandPermissionTree(request: v1.ExpandPermissionTreeRequest) {
    return this.inner.expandPermissionTree({
      ...request,
      consistency: await this.consistencyFor(request.consistency),
    });
  }
  async readRelationships(request: v1.ReadRelationshipsRequest) {
    return this.inner.readRelationships({
      ...request,
      consistency: await this.consistencyFor(request.consistency),
    });
  }
  readSchema() {
    return this.inner.readSchema();
  }
  async close() {
    await this.drain();
    await this.inner.close();
  }
}
