import { type Kysely, sql } from "kysely";
import * as relationships from "./migrations/0001_relationships.js";
import * as identity from "./migrations/0002_identity.js";
import * as serviceKeys from "./migrations/0003_service_keys_and_freshness.js";
import * as auditAndRoles from "./migrations/0004_audit_and_roles.js";
import * as invitationRevocation from "./migrations/0005_invitation_revocation.js";
import * as tenancyModel from "./migrations/0006_tenancy_model.js";
import * as viewAsGrants from "./migrations/0007_view_as_grants.js";

/**
 * What a database holds: the embedded engine's durable copy (always the SQLite file) and/or the
 * identity tables (users, sessions, tenants, …: the SQLite file, or Postgres for replicas).
 */
export type Holding = "engine" | "identity";

interface Migration {
  version: number;
  name: string;
  holds: Holding;
  up(db: Kysely<unknown>): Promise<void>;
}

/** Every table tenantgate has, in one numbered sequence. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "relationships", holds: "engine", up: relationships.up },
  { version: 2, name: "identity", holds: "identity", up: identity.up },
  { version: 3, name: "service_keys_and_freshness", holds: "identity", up: serviceKeys.up },
  { version: 4, name: "audit_and_roles", holds: "identity", up: auditAndRoles.up },
  { version: 5, name: "invitation_revocation", holds: "identity", up: invitationRevocation.up },
  { version: 6, name: "tenancy_model", holds: "identity", up: tenancyModel.up },
  { version: 7, name: "view_as_grants", holds: "identity", up: viewAsGrants.up },
];

const LEDGER = "tenantgate_migrations";

/**
 * tenantgate 0.1 kept two ledgers: `schema_migrations` (numbered .sql files for the engine's
 * tables) and Kysely's `identity_migrations`. Their entries, as this ledger's versions.
 */
const LEGACY: { table: string; column: string; versions: Record<string, number> }[] = [
  { table: "schema_migrations", column: "version", versions: { "1": 1 } },
  {
    table: "identity_migrations",
    column: "name",
    versions: {
      "0001_identity": 2,
      "0002_service_keys_and_freshness": 3,
      "0003_audit_and_roles": 4,
    },
  },
];

export class MigrationError extends Error {
  override name = "MigrationError";
}

// Any number, the same in every replica: two replicas starting at once migrate one after the other.
const POSTGRES_LOCK = 7_261_983_544;

/**
 * Brings a database to the latest version of what it holds, each migration in its own
 * transaction, recorded in one ledger. A database that has a migration this code does not know
 * (made by a newer tenantgate) stops start-up instead of running on a schema we do not know. A
 * database from tenantgate 0.1 is adopted: its two ledgers become this one. Returns the versions
 * applied.
 */
export async function migrate(
  db: Kysely<unknown>,
  dialect: "sqlite" | "postgres",
  holds: readonly Holding[],
): Promise<number[]> {
  const wanted = MIGRATIONS.filter((m) => holds.includes(m.holds));
  return db.connection().execute(async (conn) => {
    if (dialect === "postgres") await sql`SELECT pg_advisory_lock(${POSTGRES_LOCK})`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS ${sql.table(LEDGER)} (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at BIGINT NOT NULL
      )`.execute(conn);
      await adoptLegacyLedgers(conn, dialect);
      const applied = new Set(
        (
          await sql<{ version: number }>`SELECT version FROM ${sql.table(LEDGER)}`.execute(conn)
        ).rows.map((r) => Number(r.version)),
      );
      const unknown = [...applied].filter((v) => !MIGRATIONS.some((m) => m.version === v));
      if (unknown.length > 0) {
        throw new MigrationError(
          `the database has migrations ${unknown.join(", ")} that this version of tenantgate does not know; upgrade tenantgate`,
        );
      }
      const done: number[] = [];
      for (const migration of wanted) {
        if (applied.has(migration.version)) continue;
        try {
          await conn.transaction().execute(async (tx) => {
            await migration.up(tx);
            await sql`INSERT INTO ${sql.table(LEDGER)} (version, name, applied_at)
              VALUES (${migration.version}, ${migration.name}, ${Date.now()})`.execute(tx);
          });
        } catch (error) {
          throw new MigrationError(
            `migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
          );
        }
        done.push(migration.version);
      }
      return done;
    } finally {
      if (dialect === "postgres")
        await sql`SELECT pg_advisory_unlock(${POSTGRES_LOCK})`.execute(conn);
    }
  });
}

async function adoptLegacyLedgers(conn: Kysely<unknown>, dialect: "sqlite" | "postgres") {
  for (const legacy of LEGACY) {
    const exists =
      dialect === "sqlite"
        ? await sql`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ${legacy.table}`.execute(
            conn,
          )
        : await sql`SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ${legacy.table}`.execute(
            conn,
          );
    if (exists.rows.length === 0) continue;
    await conn.transaction().execute(async (tx) => {
      const rows = await sql<{
        entry: string | number;
      }>`SELECT ${sql.ref(legacy.column)} AS entry FROM ${sql.table(legacy.table)}`.execute(tx);
      for (const { entry } of rows.rows) {
        const version = legacy.versions[String(entry)];
        if (version === undefined) {
          throw new MigrationError(
            `${legacy.table} records ${entry}, which this version of tenantgate does not know; upgrade tenantgate`,
          );
        }
        const migration = MIGRATIONS.find((m) => m.version === version) as Migration;
        await sql`INSERT INTO ${sql.table(LEDGER)} (version, name, applied_at)
          VALUES (${version}, ${migration.name}, ${Date.now()})
          ON CONFLICT (version) DO NOTHING`.execute(tx);
      }
      await sql`DROP TABLE ${sql.table(legacy.table)}`.execute(tx);
      if (legacy.table === "identity_migrations")
        await sql`DROP TABLE IF EXISTS ${sql.table("identity_migrations_lock")}`.execute(tx);
    });
  }
}
