import { describe, expect, test } from "vitest";
import { parseExpectedSubject } from "../../src/schema/expected-subjects.js";

describe("parseExpectedSubject", () => {
  test.each([
    ["[user:tom] is <document:1#viewer>", { subject: "user:tom", caveated: false, exclusions: [] }],
    [
      "[user:tom#...] is <document:1#viewer>",
      { subject: "user:tom", caveated: false, exclusions: [] },
    ],
    [
      "[group:eng#member] is <document:1#viewer>",
      { subject: "group:eng#member", caveated: false, exclusions: [] },
    ],
    [
      "[user:tom[...]] is <document:1#viewer>",
      { subject: "user:tom", caveated: true, exclusions: [] },
    ],
    [
      "[user:* - {user:zed, user:bad[...]}] is <document:1#viewer>",
      { subject: "user:*", caveated: false, exclusions: ["user:bad[...]", "user:zed"] },
    ],
    ["[user:*[...] - {user:bad}]", { subject: "user:*", caveated: true, exclusions: ["user:bad"] }],
  ])("%s", (text, expected) => {
    expect(parseExpectedSubject(text)).toEqual(expected);
  });

  test.each([
    ["user:tom is <document:1#viewer>", /has no \[subject\]/],
    ["[user:tom is <document:1#viewer>", /has no \[subject\]/],
    ["[user tom]", /is not a subject/],
    ["[tom]", /must be type:id/],
  ])("refuses %s", (text, message) => {
    expect(() => parseExpectedSubject(text)).toThrow(message);
  });
});
