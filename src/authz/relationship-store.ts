import { v1 } from "@authzed/authzed-node";
import { auditRowInsert } from "../audit/store.js";
import type { SqliteDatabase } from "../data/sqlite.js";
import type { AuditLogTable } from "../data/tables.js";
import { millisFromTimestamp, timestampFromMillis } from "./relationship-syntax.js";

/** A relationship as SQLite stores it. */
interface RelationshipRow {
  resource_type: string;
  resource_id: string;
  relation: string;
  subject_type: string;
  subject_id: string;
  subject_relation: string;
  caveat_name: string | null;
  caveat_context: string | null;
  expires_at: number | null;
}

function toRow(rel: v1.Relationship): RelationshipRow {
  const caveat = rel.optionalCaveat;
  return {
    resource_type: rel.resource?.objectType ?? "",
    resource_id: rel.resource?.objectId ?? "",
    relation: rel.relation,
    subject_type: rel.subject?.object?.objectType ?? "",
    subject_id: rel.subject?.object?.objectId ?? "",
    subject_relation: rel.subject?.optionalRelation ?? "",
    caveat_name: caveat?.caveatName || null,
    caveat_context: caveat?.context ? JSON.stringify(v1.PbStruct.toJson(caveat.context)) : null,
    expires_at: rel.optionalExpiresAt ? millisFromTimestamp(rel.optionalExpiresAt) : null,
  };
}

/**
 * A plain object with every field of the message set, which is all protobuf-ts needs to encode
 * it; `Relationship.create` would copy it again by reflection, the larger part of reading
 * 100,000 rows at boot.
 */
function fromRow(row: RelationshipRow): v1.Relationship {
  return {
    resource: { objectType: row.resource_type, objectId: row.resource_id },
    relation: row.relation,
    subject: {
      object: { objectType: row.subject_type, objectId: row.subject_id },
      optionalRelation: row.subject_relation,
    },
    optionalCaveat: row.caveat_name
      ? {
          caveatName: row.caveat_name,
          context: row.caveat_context ? v1.PbStruct.fromJsonString(row.caveat_context) : undefined,
        }
      : undefined,
    optionalExpiresAt: row.expires_at === null ? undefined : timestampFromMillis(row.expires_at),
  };
}

const KEY =
  "resource_type = @resource_type AND resource_id = @resource_id AND relation = @relation AND subject_type = @subject_type AND subject_id = @subject_id AND subject_relation = @subject_relation";

/**
 * The SQLite copy of the embedded engine's relationships. Only `DurableEngine` writes here, and
 * only after the engine accepted the same change.
 */
export class RelationshipStore {
  private readonly upsertStatement;
  private readonly deleteStatement;
  private readonly getStatement;

  constructor(private readonly db: SqliteDatabase) {
    this.upsertStatement = db.prepare(`INSERT INTO relationships
      (resource_type, resource_id, relation, subject_type, subject_id, subject_relation, caveat_name, caveat_context, expires_at)
      VALUES (@resource_type, @resource_id, @relation, @subject_type, @subject_id, @subject_relation, @caveat_name, @caveat_context, @expires_at)
      ON CONFLICT DO UPDATE SET caveat_name = excluded.caveat_name, caveat_context = excluded.caveat_context, expires_at = excluded.expires_at`);
    this.deleteStatement = db.prepare(`DELETE FROM relationships WHERE ${KEY}`);
    this.getStatement = db.prepare(`SELECT * FROM relationships WHERE ${KEY}`);
  }

  /**
   * The rows for relationships, built before the engine is asked to change anything: whatever
   * cannot be stored (a caveat context that does not serialise) must fail while nothing has
   * changed yet.
   */
  static rows(relationships: v1.Relationship[]): RelationshipRow[] {
    return relationships.map(toRow);
  }

  /**
   * Applies touches/creates and deletes in one transaction, with the change's audit row when the
   * audit log lives in this same database.
   */
  apply(updates: {
    upsert: RelationshipRow[];
    remove: RelationshipRow[];
    audit?: AuditLogTable | undefined;
  }): void {
    this.db.transaction(() => {
      for (const row of updates.remove) this.deleteStatement.run(row);
      for (const row of updates.upsert) this.upsertStatement.run(row);
      if (updates.audit) {
        const { sql, parameters } = auditRowInsert(updates.audit);
        this.db.prepare(sql).run(...parameters);
      }
    })();
  }

  /** The stored version of a relationship (same key), if any. */
  get(rel: v1.Relationship): v1.Relationship | undefined {
    const row = this.getStatement.get(toRow(rel)) as RelationshipRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Every stored relationship that has not expired at `now`, in key order. */
  *iterate(now = Date.now()): Generator<v1.Relationship> {
    const rows = this.db
      .prepare("SELECT * FROM relationships WHERE expires_at IS NULL OR expires_at > ?")
      .iterate(now) as Iterable<RelationshipRow>;
    for (const row of rows) yield fromRow(row);
  }

  count(now = Date.now()): number {
    return this.db
      .prepare("SELECT count(*) FROM relationships WHERE expires_at IS NULL OR expires_at > ?")
      .pluck()
      .get(now) as number;
  }

  /** The earliest expiration still ahead of `now`, if any relationship expires at all. */
  nextExpiration(now: number): number | undefined {
    const next = this.db
      .prepare("SELECT min(expires_at) FROM relationships WHERE expires_at > ?")
      .pluck()
      .get(now) as number | null;
    return next ?? undefined;
  }

  /** Drops rows whose expiration has passed; the engine already ignores them. */
  deleteExpired(now = Date.now()): number {
    return this.db.prepare("DELETE FROM relationships WHERE expires_at <= ?").run(now).changes;
  }

  getState(key: string): string | undefined {
    return this.db.prepare("SELECT value FROM engine_state WHERE key = ?").pluck().get(key) as
      | string
      | undefined;
  }

  setState(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO engine_state (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }
}
