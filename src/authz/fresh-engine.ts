import type { v1 } from "@authzed/authzed-node";
import { type AuditContext, auditRow, describeWrite } from "../audit/audit-record.js";
import type { Store } from "../store/database.js";
import type { AuthzEngine, WriteOptions } from "./engine.js";

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

  constructor(
    private readonly inner: AuthzEngine,
    private readonly store: Store,
    private readonly shared: boolean,
    private readonly clock: () => number = Date.now,
    /** The engine below commits audit rows itself (the embedded engine on the same SQLite file). */
    private readonly auditedBelow = false,
  ) {}

  get kind() {
    return this.inner.kind;
  }

  /**
   * Forgets the stored token. The embedded engine starts a new datastore on every start, which
   * does not know the previous one's tokens; what it loaded is the newest state anyway.
   */
  async reset(): Promise<void> {
    await this.store
      .updateTable("authz_freshness")
      .set({ token: "", written_at: 0 })
      .where("id", "=", 1)
      .execute();
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

  private async readLatestToken(): Promise<string | undefined> {
    const row = await this.store
      .selectFrom("authz_freshness")
      .select("token")
      .where("id", "=", 1)
      .executeTakeFirst();
    if (!this.shared) this.localToken = row?.token ?? "";
    return row?.token || undefined;
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
    const run = async () => {
      if (!this.shared) {
        const result = await write();
        await this.record(this.store, audited, tokenOf(result));
        return result;
      }
      return this.store.transaction().execute(async (tx) => {
        await tx
          .selectFrom("authz_freshness")
          .select("id")
          .where("id", "=", 1)
          .forUpdate()
          .execute();
        const result = await write();
        await this.record(tx, audited, tokenOf(result));
        return result;
      });
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async record(
    store: Store,
    audited:
      | {
          audit: AuditContext;
          request: v1.WriteRelationshipsRequest | v1.DeleteRelationshipsRequest;
        }
      | undefined,
    token: string | undefined,
  ): Promise<void> {
    if (audited && !this.auditedBelow) {
      await store
        .insertInto("audit_log")
        .values(auditRow(audited.audit, describeWrite(audited.request), token))
        .execute();
    }
    if (!token) return;
    await store
      .updateTable("authz_freshness")
      .set({ token, written_at: this.clock() })
      .where("id", "=", 1)
      .execute();
    if (!this.shared) this.localToken = token;
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
    await this.queue;
    await this.inner.close();
  }
}
