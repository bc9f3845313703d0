import { join } from "node:path";
import { describe, expect, onTestFinished, test } from "vitest";
import { RelationshipStore } from "../../src/authz/relationship-store.js";
import { formatRelationship, parseRelationship } from "../../src/authz/relationship-syntax.js";
import { openEngineFile } from "../support/engine-file.js";
import { tempDirForTest } from "../support/temp-dir.js";

async function freshStore() {
  const db = await openEngineFile(join(tempDirForTest("store"), "tenantgate.sqlite"));
  onTestFinished(() => {
    db.close();
  });
  return { db, store: new RelationshipStore(db) };
}

/** The rows the store keeps for relationships given in string syntax. */
const rels = (...texts: string[]) => RelationshipStore.rows(texts.map(parseRelationship));
const all = (store: RelationshipStore, now?: number) =>
  [...store.iterate(now)].map(formatRelationship);

describe("RelationshipStore", () => {
  test("stores every part of a relationship and gives it back unchanged, in key order", async () => {
    const { store } = await freshStore();
    const texts = [
      "tenant:t1#member@account:a2",
      'project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}]',
      "project:p1#editor@role:r1#assignee",
      "project:p1#editor@account:a3[expiration:2100-01-01T00:00:00Z]",
      "role:r1#grant_project_view@account:*",
    ];
    store.apply({ upsert: rels(...texts), remove: [] });
    expect(all(store)).toEqual([...texts].sort());
    expect(store.count()).toBe(5);
  });

  test("an upsert of the same key replaces its caveat and expiration", async () => {
    const { store } = await freshStore();
    store.apply({
      upsert: rels('project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}]'),
      remove: [],
    });
    store.apply({
      upsert: rels("project:p1#viewer@account:a1[expiration:2100-01-01T00:00:00Z]"),
      remove: [],
    });
    expect(all(store)).toEqual(["project:p1#viewer@account:a1[expiration:2100-01-01T00:00:00Z]"]);
  });

  test("removes by key, whatever caveat the removal names, in the same transaction as upserts", async () => {
    const { store } = await freshStore();
    store.apply({
      upsert: rels(
        'project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}]',
        "project:p1#viewer@account:a2",
      ),
      remove: [],
    });
    store.apply({
      upsert: rels("project:p1#viewer@account:a3"),
      remove: rels("project:p1#viewer@account:a1"),
    });
    expect(all(store)).toEqual(["project:p1#viewer@account:a2", "project:p1#viewer@account:a3"]);
  });

  test("apply is all or nothing", async () => {
    const { db, store } = await freshStore();
    store.apply({ upsert: rels("project:p1#viewer@account:a1"), remove: [] });
    db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON relationships WHEN NEW.resource_id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    expect(() =>
      store.apply({
        upsert: rels("project:p2#viewer@account:a1", "project:bad#viewer@account:a1"),
        remove: rels("project:p1#viewer@account:a1"),
      }),
    ).toThrow(/refused/);
    expect(all(store)).toEqual(["project:p1#viewer@account:a1"]);
  });

  test("get finds the stored version of a key", async () => {
    const { store } = await freshStore();
    store.apply({
      upsert: rels('project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}]'),
      remove: [],
    });
    const found = store.get(parseRelationship("project:p1#viewer@account:a1"));
    expect(found && formatRelationship(found)).toBe(
      'project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}]',
    );
    expect(store.get(parseRelationship("project:p1#viewer@account:a9"))).toBeUndefined();
  });

  test("expired rows are skipped by iterate and count, and dropped by deleteExpired", async () => {
    const { store } = await freshStore();
    store.apply({
      upsert: rels(
        "project:p1#editor@account:a1[expiration:2020-01-01T00:00:00Z]",
        "project:p1#editor@account:a2[expiration:2030-01-01T00:00:00Z]",
        "project:p1#editor@account:a3",
      ),
      remove: [],
    });
    expect(all(store)).toHaveLength(2);
    expect(store.count()).toBe(2);
    const in2031 = Date.parse("2031-01-01T00:00:00Z");
    expect(all(store, in2031)).toEqual(["project:p1#editor@account:a3"]);
    expect(store.deleteExpired()).toBe(1);
    expect(store.deleteExpired(in2031)).toBe(1);
    expect(store.count()).toBe(1);
  });

  test("keeps small named state values", async () => {
    const { store } = await freshStore();
    expect(store.getState("schema")).toBeUndefined();
    store.setState("schema", "definition a {}");
    store.setState("schema", "definition b {}");
    expect(store.getState("schema")).toBe("definition b {}");
  });
});
