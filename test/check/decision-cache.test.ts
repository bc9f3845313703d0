import { v1 } from "@authzed/authzed-node";
import { expect, test } from "vitest";
import {
  parseObjectReference,
  parseSubjectReference,
} from "../../src/authz/relationship-syntax.js";
import type { BatchedResult } from "../../src/check/check-batcher.js";
import { DecisionCache } from "../../src/check/decision-cache.js";

function item(resource: string, subject = "account:a1"): v1.CheckBulkPermissionsRequestItem {
  return {
    resource: parseObjectReference(resource),
    permission: "view",
    subject: parseSubjectReference(subject),
    context: undefined,
  };
}

function allowed(request: v1.CheckBulkPermissionsRequestItem): BatchedResult {
  return {
    pair: {
      request,
      response: {
        oneofKind: "item",
        item: {
          permissionship: v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION,
          partialCaveatInfo: undefined,
        },
      },
    },
    checkedAt: "token",
  };
}

function cache(maxEntries: number, clock: { ms: number }, validForMs = 60_000) {
  return new DecisionCache(
    { generation: () => "g1", validUntil: (now) => now + validForMs },
    maxEntries,
    () => clock.ms,
  );
}

test("a decision is found under its generation and question only", () => {
  const decisions = cache(10, { ms: 0 });
  const asked = item("project:p1");
  decisions.set(DecisionCache.key("g1", asked), allowed(asked));
  expect(decisions.get(DecisionCache.key("g1", item("project:p1")))).toEqual(allowed(asked));
  expect(decisions.get(DecisionCache.key("g2", asked))).toBeUndefined();
  expect(decisions.get(DecisionCache.key("g1", item("project:p2")))).toBeUndefined();
  expect(decisions.get(DecisionCache.key("g1", item("project:p1", "account:a2")))).toBeUndefined();
});

test("a decision ends when its validity does", () => {
  const clock = { ms: 1000 };
  const decisions = cache(10, clock, 500);
  const asked = item("project:p1");
  const key = DecisionCache.key("g1", asked);
  decisions.set(key, allowed(asked));
  clock.ms = 1499;
  expect(decisions.get(key)).toBeDefined();
  clock.ms = 1500;
  expect(decisions.get(key)).toBeUndefined();
});

test("a per-item engine error is never remembered", () => {
  const decisions = cache(10, { ms: 0 });
  const asked = item("project:p1");
  const key = DecisionCache.key("g1", asked);
  decisions.set(key, {
    pair: {
      request: asked,
      response: {
        oneofKind: "error",
        error: { code: 3, message: "no such permission", details: [] },
      },
    },
    checkedAt: undefined,
  });
  expect(decisions.get(key)).toBeUndefined();
});

test("beyond its size the oldest decision goes, but one in use stays", () => {
  const decisions = cache(4, { ms: 0 });
  const hot = item("project:hot");
  const hotKey = DecisionCache.key("g1", hot);
  decisions.set(hotKey, allowed(hot));
  const cold = Array.from({ length: 20 }, (_, i) => item(`project:cold${i}`));
  for (const asked of cold) {
    decisions.set(DecisionCache.key("g1", asked), allowed(asked));
    expect(decisions.get(hotKey)).toBeDefined();
  }
  const kept = cold.filter((asked) => decisions.get(DecisionCache.key("g1", asked)) !== undefined);
  expect(kept.length).toBeLessThanOrEqual(3);
  expect(kept.at(-1)).toBe(cold.at(-1));
  expect(
    decisions.get(DecisionCache.key("g1", cold[0] as v1.CheckBulkPermissionsRequestItem)),
  ).toBeUndefined();
});
