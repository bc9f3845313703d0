import { v1 } from "@authzed/authzed-node";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { type AuditContext, auditRow, describeWrite } from "../audit/audit-record.js";
import type { AuditLogTable } from "../data/tables.js";
import type { Logger } from "../lib/logger.js";
import { EmbeddedEngine } from "./embedded/embedded-engine.js";
import type { AuthzEngine, WriteOptions } from "./engine.js";
import { EngineError } from "./engine-error.js";
import { RelationshipStore } from "./relationship-store.js";
import { formatRelationship } from "./relationship-syntax.js";

const SCHEMA_KEY = "schema";

/**
 * Up to about this many relationships the embedded engine answers uncached checks at about 100
 * a second on two cores with p99 in the hundreds of milliseconds (docs/benchmarks.md, "The
 * embedded envelope"): its memory datastore scans every row of a relation on each read, so the
 * cost of a check grows with the data. Beyond it, start-up says so.
 */
export const EMBEDDED_RELATIONSHIP_LIMIT = 10_000;
const LOAD_BATCH = 1000; // SpiceDB's limit of updates per WriteRelationships call

const fullyConsistent = () =>
  v1.Consistency.create({ requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } });

/**
 * The embedded engine made durable: every relationship change is applied to the engine and then
 * committed to SQLite before it is acknowledged, and at start SQLite is loaded back into the
 * engine.
 *
 * NOTE: writes go through one queue (a single writer). The engine applies a change first; only if
 * it accepts (schema, preconditions) is the same change committed to SQLite. A crash between the
 * two loses only an unacknowledged change, because the engine's memory dies with the process and
 * SQLite still holds the last acknowledged state. If the SQLite commit itself fails, the engine
 * is put back to what SQLite holds for the touched keys before the error is returned.
 */
export class DurableEngine implements AuthzEngine {
  readonly kind = "embedded" as const;
  private queue: Promise<unknown> = Promise.resolve();
  private expiration: { at: number } | undefined;
  /** Set when a failed write could not be undone: the engine is not to be trusted any more. */
  private broken: EngineError | undefined;

  private constructor(
    private readonly engine: EmbeddedEngine,
    private readonly store: RelationshipStore,
    /** Whether this engine commits audit rows itself (the audit log is in this SQLite file). */
    readonly recordsAudit: boolean,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * Starts an embedded engine and loads the stored schema and relationships into it. With
   * `auditHere`, the audit log lives in the same SQLite file and each change's audit row is
   * committed in the same transaction as the change.
   */
  static async open(
    store: RelationshipStore,
    logger?: Logger,
    { auditHere = false, readTimeoutMs = 0 } = {},
  ): Promise<DurableEngine> {
    const started = performance.now();
    const engine = await EmbeddedEngine.start({ readTimeoutMs });
    try {
      const schema = store.getState(SCHEMA_KEY);
      let loaded = 0;
      if (schema) {
        await engine.writeSchema(schema);
        loaded = await loadRelationships(engine, store.iterate());
      }
      logger?.info(
        { relationships: loaded, ms: Math.round(performance.now() - started) },
        "embedded engine loaded",
      );
      if (loaded > EMBEDDED_RELATIONSHIP_LIMIT)
        logger?.warn(
          { relationships: loaded, limit: EMBEDDED_RELATIONSHIP_LIMIT },
          `the embedded engine holds ${loaded} relationships, more than the ${EMBEDDED_RELATIONSHIP_LIMIT} it was measured to serve (docs/benchmarks.md): checks slow down as it grows. Move to SpiceDB on Postgres: docs/operations.md, "From embedded to SpiceDB"`,
        );
      return new DurableEngine(engine, store, auditHere, logger);
    } catch (error) {
      await engine.close();
      throw error;
    }
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = () => this.guarded(task);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  writeRelationships(
    request: v1.WriteRelationshipsRequest,
    options: WriteOptions = {},
  ): Promise<v1.WriteRelationshipsResponse> {
    return this.exclusive(async () => {
      const upsert: v1.Relationship[] = [];
      const remove: v1.Relationship[] = [];
      for (const update of request.updates) {
        if (!update.relationship) continue;
        if (update.operation === v1.RelationshipUpdate_Operation.DELETE)
          remove.push(update.relationship);
        else upsert.push(update.relationship);
      }
      const rows = prepare(() => ({
        upsert: RelationshipStore.rows(upsert),
        remove: RelationshipStore.rows(remove),
        audit: this.auditDraft(options.audit, request),
      }));
      const response = await this.engine.writeRelationships(request);
      await this.commitOrRestore([...upsert, ...remove], {
        ...rows,
        audit: rows.audit && { ...rows.audit, zedtoken: response.writtenAt?.token ?? null },
      });
      return response;
    });
  }

  /** The change's audit row without its zedtoken, when this engine records audit rows. */
  private auditDraft(
    audit: AuditContext | undefined,
    request: v1.WriteRelationshipsRequest | v1.DeleteRelationshipsRequest,
  ): AuditLogTable | undefined {
    return this.recordsAudit && audit
      ? auditRow(audit, describeWrite(request), undefined)
      : undefined;
  }

  deleteRelationships(
    request: v1.DeleteRelationshipsRequest,
    options: WriteOptions = {},
  ): Promise<v1.DeleteRelationshipsResponse> {
    return this.exclusive(async () => {
      const audit = prepare(() => this.auditDraft(options.audit, request));
      const filter = request.relationshipFilter;
      const read = (f: typeof filter) =>
        this.engine.readRelationships(
          v1.ReadRelationshipsRequest.create({
            consistency: fullyConsistent(),
            relationshipFilter: f,
          }),
        );
      // The single writer makes this read exact: nothing else changes the engine meanwhile.
      const before = (await read(filter)).flatMap((r) => (r.relationship ? [r.relationship] : []));
      const response = await this.engine.deleteRelationships(request);
      let removed = before;
      if (response.deletionProgress === v1.DeleteRelationshipsResponse_DeletionProgress.PARTIAL) {
        const still = new Set(
          (await read(filter)).flatMap((r) =>
            r.relationship ? [formatRelationship(r.relationship)] : [],
          ),
        );
        removed = before.filter((rel) => !still.has(formatRelationship(rel)));
      }
      // Rows read back from the engine convert like the ones it accepted; still inside the
      // restore path, since the engine has already changed.
      await this.commitOrRestore(removed, () => ({
        upsert: [],
        remove: RelationshipStore.rows(removed),
        audit: audit && { ...audit, zedtoken: response.deletedAt?.token ?? null },
      }));
      return response;
    });
  }

  /**
   * Commits a change the engine has applied to SQLite, or puts the engine back to SQLite's
   * version of every touched key if anything fails. Should even that fail, the two disagree and
   * nothing can be trusted: every later call fails (closed) until a restart reloads SQLite.
   */
  private async commitOrRestore(
    touched: v1.Relationship[],
    rows:
      | Parameters<RelationshipStore["apply"]>[0]
      | (() => Parameters<RelationshipStore["apply"]>[0]),
  ): Promise<void> {
    this.expiration = undefined;
    try {
      this.store.apply(typeof rows === "function" ? rows() : rows);
    } catch (error) {
      try {
        await this.restore(touched);
      } catch (restoreError) {
        this.broken = new EngineError(
          GrpcStatus.UNAVAILABLE,
          `the embedded engine no longer matches its durable copy (${(restoreError as Error).message}); restart tenantgate`,
        );
        this.logger?.fatal({ err: restoreError }, this.broken.message);
      }
      throw error;
    }
  }

  /** Runs a read, unless the engine can no longer be trusted (then every call fails closed). */
  private guarded<T>(call: () => Promise<T>): Promise<T> {
    return this.broken ? Promise.reject(this.broken) : call();
  }

  /** Puts the engine back to SQLite's version of each key. */
  private async restore(keys: v1.Relationship[]): Promise<void> {
    const updates = keys.map((key) => {
      const stored = this.store.get(key);
      return stored
        ? v1.RelationshipUpdate.create({
            operation: v1.RelationshipUpdate_Operation.TOUCH,
            relationship: stored,
          })
        : v1.RelationshipUpdate.create({
            operation: v1.RelationshipUpdate_Operation.DELETE,
            relationship: key,
          });
    });
    for (let i = 0; i < updates.length; i += LOAD_BATCH) {
      await this.engine.writeRelationships(
        v1.WriteRelationshipsRequest.create({ updates: updates.slice(i, i + LOAD_BATCH) }),
      );
    }
  }

  writeSchema(schema: string): Promise<v1.WriteSchemaResponse> {
    return this.exclusive(async () => {
      const previous = await this.engine.readSchema();
      const response = await this.engine.writeSchema(schema);
      try {
        this.store.setState(SCHEMA_KEY, schema);
      } catch (error) {
        if (previous) await this.engine.writeSchema(previous);
        throw error;
      }
      return response;
    });
  }

  /**
   * The next moment a stored relationship expires (decisions may change then without a write);
   * Infinity when none will. Remembered until that moment passes or a write lands.
   */
  nextExpiration(now: number): number {
    if (this.expiration === undefined || now >= this.expiration.at) {
      this.expiration = { at: this.store.nextExpiration(now) ?? Number.POSITIVE_INFINITY };
    }
    return this.expiration.at;
  }

  /** See EmbeddedEngine.watchClient. */
  watchClient(): v1.ZedClientInterface {
    return this.engine.watchClient();
  }

  /** Removes expired rows from SQLite; the engine already treats them as absent. */
  deleteExpired(): number {
    return this.store.deleteExpired();
  }

  /**
   * The schema as it was written (SpiceDB hands back a reformatted copy of the same schema), so
   * that an unchanged schema.zed is recognised as unchanged at start. The engine is still asked,
   * so a closed or failing engine is noticed (readiness depends on it).
   */
  async readSchema() {
    const deployed = await this.guarded(() => this.engine.readSchema());
    return this.store.getState(SCHEMA_KEY) ?? deployed;
  }
  checkPermission(request: v1.CheckPermissionRequest) {
    return this.guarded(() => this.engine.checkPermission(request));
  }
  checkBulkPermissions(request: v1.CheckBulkPermissionsRequest) {
    return this.guarded(() => this.engine.checkBulkPermissions(request));
  }
  lookupResources(request: v1.LookupResourcesRequest) {
    return this.guarded(() => this.engine.lookupResources(request));
  }
  lookupSubjects(request: v1.LookupSubjectsRequest) {
    return this.guarded(() => this.engine.lookupSubjects(request));
  }
  expandPermissionTree(request: v1.ExpandPermissionTreeRequest) {
    return this.guarded(() => this.engine.expandPermissionTree(request));
  }
  readRelationships(request: v1.ReadRelationshipsRequest) {
    return this.guarded(() => this.engine.readRelationships(request));
  }

  async close(): Promise<void> {
    await this.queue;
    await this.engine.close();
  }
}

/**
 * Touches relationships into an engine in batches, keeping two batches in flight so that the
 * next one is built and encoded while the engine applies the current one off the event loop.
 * The relationships have distinct keys, so the order the engine applies batches in is moot.
 */
export async function loadRelationships(
  engine: AuthzEngine,
  relationships: Iterable<v1.Relationship>,
  onProgress?: (loaded: number) => void,
): Promise<number> {
  let loaded = 0;
  const inFlight: Promise<unknown>[] = [];
  let batch: v1.RelationshipUpdate[] = [];
  const flush = async () => {
    if (inFlight.length >= 2) await inFlight.shift();
    const request = v1.WriteRelationshipsRequest.create();
    request.updates = batch;
    inFlight.push(engine.writeRelationships(request));
    loaded += batch.length;
    batch = [];
    onProgress?.(loaded);
  };
  for (const relationship of relationships) {
    // Plain objects: `create({ ... })` deep-copies the relationship by reflection, twice (update
    // and request), which cost over a second per 100,000 relationships at boot.
    batch.push({ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship });
    if (batch.length === LOAD_BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  return loaded;
}

/**
 * Runs the part of a write that turns it into rows; whatever fails there is the request's fault
 * (a caveat context that cannot be stored), raised before the engine is touched.
 */
function prepare<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw new EngineError(
      GrpcStatus.INVALID_ARGUMENT,
      `the change cannot be stored: ${(error as Error).message}`,
    );
  }
}
