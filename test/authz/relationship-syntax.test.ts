import { describe, expect, test } from "vitest";
import {
  formatRelationship,
  millisFromTimestamp,
  parseRelationship,
  parseSubjectReference,
  timestampFromMillis,
} from "../../src/authz/relationship-syntax.js";

describe("relationship string syntax", () => {
  test.each([
    "project:p1#editor@account:a2",
    "project:p1#editor@role:r1#assignee",
    "role:r1#grant_project_view@account:*",
    'project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}]',
    "project:p1#editor@account:a1[expiration:2030-01-01T00:00:00Z]",
    "project:p1#editor@account:a1[expiration:2030-01-01T00:00:00.250Z]",
    'project:p1#viewer@account:a1[on_network:{"allowed_cidr":"10.0.0.0/8"}][expiration:2030-01-01T00:00:00Z]',
    "project:p1#viewer@account:a1[on_network]",
    "tenant:T_1-x=y+z|w/v#member@account:a2",
  ])("%s reads and prints back the same", (text) => {
    expect(formatRelationship(parseRelationship(text))).toBe(text);
  });

  test("a caveat context may hold brackets and quotes", () => {
    const text = 'project:p1#viewer@account:a1[on_network:{"allowed_cidr":"a]b\\"c{"}]';
    expect(formatRelationship(parseRelationship(text))).toBe(text);
  });

  test.each([
    ["project:p1#editor", /must be resource#relation@subject/],
    ["project:p1@account:a1", /has no #relation/],
    ["p:p1#editor@account:a1", /resource type "p" is invalid/],
    ["project:p 1#editor@account:a1", /resource id "p 1" is invalid/],
    ["project:*#editor@account:a1", /resource id "\*" is invalid/],
    ["project:p1#Editor@account:a1", /relation "Editor" is invalid/],
    ["project:p1#editor@account", /subject "account" must be type:id/],
    ["project:p1#editor@role:r1#x", /subject relation "x" is invalid/],
    [
      "project:p1#editor@account:a1[expiration:tomorrow]",
      /expiration "tomorrow" must be an RFC 3339 time/,
    ],
    ["project:p1#editor@account:a1[on_network:{nope}]", /not valid JSON/],
    ["project:p1#editor@account:a1[on_network:42]", /must be a JSON object/],
    ["project:p1#editor@account:a1[a_caveat][b_caveat]", /at most one caveat/],
    ["project:p1#editor@account:a1[on_network", /unclosed "\["/],
    ["project:p1#editor@account:a1 trailing", /subject id "a1 trailing" is invalid/],
  ])("%s is refused: %s", (text, message) => {
    expect(() => parseRelationship(text)).toThrow(message);
  });

  test("subject references with and without a relation", () => {
    expect(parseSubjectReference("role:r1#assignee")).toMatchObject({
      object: { objectType: "role", objectId: "r1" },
      optionalRelation: "assignee",
    });
    expect(parseSubjectReference("account:*").object?.objectId).toBe("*");
  });

  test("timestamps keep milliseconds", () => {
    const millis = Date.parse("2030-05-06T07:08:09.123Z");
    expect(timestampFromMillis(millis)).toEqual({
      seconds: String(Math.floor(millis / 1000)),
      nanos: 123_000_000,
    });
    expect(millisFromTimestamp(timestampFromMillis(millis))).toBe(millis);
  });
});
