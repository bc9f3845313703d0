import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { expect, onTestFinished, test } from "vitest";
import { DurableEngine, EMBEDDED_RELATIONSHIP_LIMIT } from "../../src/authz/durable-engine.js";
import { RelationshipStore } from "../../src/authz/relationship-store.js";
import { parseRelationship } from "../../src/authz/relationship-syntax.js";
import { openEngineFile } from "../support/engine-file.js";
import { SCHEMA_PATH } from "../support/runtime.js";
import { tempDirForTest } from "../support/temp-dir.js";

/**
 * Start-up with more relationships than the embedded engine was measured to serve logs a warning
 * naming the limit and the way out; at the limit it stays quiet. The store is a real SQLite
 * file, loaded into a real embedded SpiceDB.
 */
async function startWith(count: number) {
  const db = await openEngineFile(join(tempDirForTest("limit"), "tenantgate.sqlite"));
  const store = new RelationshipStore(db);
  store.setState("schema", readFileSync(SCHEMA_PATH, "utf8"));
  const rows = Array.from({ length: count }, (_, i) =>
    parseRelationship(`project:p${i}#tenant@tenant:t1`),
  );
  store.apply({ upsert: RelationshipStore.rows(rows), remove: [] });
  const lines: { level: number; msg: string; limit?: number; relationships?: number }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const engine = await DurableEngine.open(store, pino({ level: "info" }, sink));
  onTestFinished(async () => {
    await engine.close();
    db.close();
  });
  return lines.filter((l) => l.level === 40);
}

test("more relationships than the measured limit: a warning with the limit and the way out", async () => {
  const warnings = await startWith(EMBEDDED_RELATIONSHIP_LIMIT + 1);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({
    limit: EMBEDDED_RELATIONSHIP_LIMIT,
    relationships: EMBEDDED_RELATIONSHIP_LIMIT + 1,
  });
  expect(warnings[0]?.msg).toContain("From embedded to SpiceDB");
});

test("at the limit: no warning", async () => {
  expect(await startWith(EMBEDDED_RELATIONSHIP_LIMIT)).toEqual([]);
});
