import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import type { SqliteDatabase } from "../data/sqlite.js";

const OTHER_WRITERS_MS = 1;

/**
 * Tells whether the SQLite identity store may have changed since a given moment, in about a
 * microsecond, so that rows can be kept in memory without ever serving a stale one.
 *
 * Two sources of change are counted: every statement other than a SELECT through this process's
 * Kysely instance, counted when it is issued and again once it has run (so a read that overlaps
 * a write never passes for current), and commits by any other connection to the file, which
 * SQLite reports through `PRAGMA data_version` (the CLI's user and service-key commands, or an
 * operator's own SQL, write while the server runs).
 *
 * NOTE: reading data_version takes SQLite's shared-memory read lock (system calls), which cost a
 * warm check about 5 % of its time when done per request; it is read at most once a millisecond,
 * so another process's commit is seen within a millisecond. This process's own writes are seen
 * at once.
 */
export class StoreChanges implements KyselyPlugin {
  private writes = 0;
  private readonly pending = new WeakSet<QueryId>();
  private readonly dataVersion: () => unknown;
  private externalVersion: unknown;
  private externalReadAt = Number.NEGATIVE_INFINITY;

  constructor(db: SqliteDatabase) {
    const statement = db.prepare("PRAGMA data_version").pluck();
    this.dataVersion = () => statement.get();
  }

  /** The store's state now, as an opaque mark: equal marks mean nothing changed in between. */
  mark(): string {
    const now = performance.now();
    if (now - this.externalReadAt >= OTHER_WRITERS_MS) {
      this.externalVersion = this.dataVersion();
      this.externalReadAt = now;
    }
    return `${this.writes}:${this.externalVersion}`;
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind !== "SelectQueryNode") {
      this.writes++;
      this.pending.add(queryId);
    }
    return node;
  }

  async transformResult({
    result,
    queryId,
  }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.pending.delete(queryId)) this.writes++;
    return result;
  }
}
