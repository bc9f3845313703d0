import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { EmbeddedEngine } from "../../src/authz/embedded/embedded-engine.js";
import { definitionNames } from "../../src/authz/relationship-transfer.js";
import {
  formatAllowedSubject,
  outlineSchema,
  type SchemaOutline,
  SchemaOutlineError,
} from "../../src/schema/schema-outline.js";
import { REPO_ROOT, SCHEMA_PATH } from "../support/runtime.js";

/** The outline as plain data, maps as objects in declaration order, allowed types spelt out. */
function plain(outline: SchemaOutline) {
  return {
    features: outline.features,
    caveats: Object.fromEntries(
      [...outline.caveats].map(([name, c]) => [
        name,
        { parameters: Object.fromEntries(c.parameters), expression: c.expression },
      ]),
    ),
    definitions: Object.fromEntries(
      [...outline.definitions].map(([name, d]) => [
        name,
        Object.fromEntries(
          [...d.members].map(([member, m]) => [
            member,
            m.kind === "relation"
              ? `relation: ${m.allowed.map(formatAllowedSubject).join(" | ")}`
              : `permission = ${m.expression}`,
          ]),
        ),
      ]),
    ),
  };
}

const EVERYTHING = `use expiration

/**
 * A doc comment, with a } and a { in it.
 */
definition org/identity_team/user {}

/* a block comment: definition fake { relation no: user } */
caveat org/on_network(allowed list<string>, ip ipaddress, attrs map<any>) {
  // CEL has comments, strings with braces and maps of its own
  ip.in_cidr(allowed[0]) && attrs.note != "}" &&
    {"a": 1}["a"] == 1 && 'it is' != r"\\d{2}" && -1 < 0
}

definition group {
  relation member: org/identity_team/user | group#member; relation owner: org/identity_team/user
}

definition document {
  relation viewer: org/identity_team/user | org/identity_team/user:* | group#member |
    org/identity_team/user with org/on_network | org/identity_team/user with expiration |
    group#member with org/on_network and expiration
  relation parent: group // trailing comment

  /** view: a multi-line expression */
  permission view = viewer +
    parent->member -
    (viewer & parent.all(member))
  permission nothing = nil
}
`;

describe("outlineSchema", () => {
  test("reads comments, features, caveats, slashes, every allowed type and multi-line expressions", () => {
    expect(plain(outlineSchema(EVERYTHING))).toEqual({
      features: ["expiration"],
      caveats: {
        "org/on_network": {
          parameters: { allowed: "list<string>", ip: "ipaddress", attrs: "map<any>" },
          expression: `ip.in_cidr(allowed[0]) && attrs.note != "}" && {"a": 1}["a"] == 1 && 'it is' != r"\\d{2}" && -1 < 0`,
        },
      },
      definitions: {
        "org/identity_team/user": {},
        group: {
          member: "relation: org/identity_team/user | group#member",
          owner: "relation: org/identity_team/user",
        },
        document: {
          viewer:
            "relation: org/identity_team/user | org/identity_team/user:* | group#member | org/identity_team/user with org/on_network | org/identity_team/user with expiration | group#member with org/on_network and expiration",
          parent: "relation: group",
          view: "permission = viewer + parent->member - (viewer & parent.all(member))",
          nothing: "permission = nil",
        },
      },
    });
  });

  test("SpiceDB accepts that schema, and prints back one with the same outline", async () => {
    const engine = await EmbeddedEngine.start();
    try {
      await engine.writeSchema(EVERYTHING);
      expect(plain(outlineSchema(await engine.readSchema())).definitions).toEqual(
        plain(outlineSchema(EVERYTHING)).definitions,
      );
    } finally {
      await engine.close();
    }
  });

  test("layout and comments do not change the outline", () => {
    const compact = `use expiration
definition org/identity_team/user {}
caveat org/on_network(allowed list<string>,ip ipaddress,attrs map<any>){ip.in_cidr(allowed[0])&&attrs.note!="}"&&{"a":1}["a"]==1&&'it is'!=r"\\d{2}"&&-1<0}
definition group {
relation member:org/identity_team/user|group#member
relation owner:org/identity_team/user
}
definition document {
relation viewer:org/identity_team/user|org/identity_team/user:*|group#member|org/identity_team/user with org/on_network|org/identity_team/user with expiration|group#member with org/on_network and expiration
relation parent:group
permission view=viewer+parent->member-(viewer&parent.all(member))
permission nothing=nil
}`;
    expect(plain(outlineSchema(compact))).toEqual(plain(outlineSchema(EVERYTHING)));
  });

  test("the repository's schema.zed", () => {
    const schema = readFileSync(SCHEMA_PATH, "utf8");
    const outline = outlineSchema(schema);
    expect(outline.features).toEqual(["expiration"]);
    expect([...outline.definitions.keys()]).toEqual([
      "user",
      "account",
      "tenant",
      "role",
      "project",
    ]);
    expect(definitionNames("definition a_b {} definition org/team_x { relation m: a_b }")).toEqual([
      "a_b",
      "org/team_x",
    ]);
    expect(outline.definitions.get("tenant")?.members.get("membership")).toEqual({
      kind: "permission",
      name: "membership",
      expression: "owner + admin + member",
    });
  });

  // Each with the line and column the reader should point at.
  test.each([
    [
      "a stray word",
      "definition user {}\nrelation x: user\n",
      2,
      1,
      "expected `definition`, `caveat` or `use`",
    ],
    [
      "an unclosed definition",
      "definition user {\n  relation x: user\n",
      3,
      1,
      "expected `relation`, `permission` or `}`",
    ],
    [
      "a relation without its colon",
      "definition doc {\n  relation x user\n}",
      2,
      14,
      "expected `:`",
    ],
    [
      "two statements on one line",
      "definition doc {\n  relation a: user relation b: user\n}",
      2,
      20,
      "expected the end of the statement",
    ],
    [
      "`with` and nothing after it",
      "definition doc {\n  relation a: user with\n}",
      3,
      1,
      "expected a caveat or `expiration`",
    ],
    [
      "an empty expression",
      "definition doc {\n  permission p =\n}",
      3,
      1,
      "expected an expression",
    ],
    [
      "an unbalanced parenthesis",
      "definition doc {\n  permission p = a)\n}",
      2,
      19,
      "unbalanced `)`",
    ],
    ["an unterminated comment", "definition doc {}\n/* no end", 2, 1, "unterminated /* comment"],
    [
      "an unclosed caveat",
      "caveat c(a int) {\n  a > 1\n",
      1,
      17,
      "the body of caveat `c` is not closed",
    ],
    [
      "a definition declared twice",
      "definition a {}\ndefinition a {}",
      2,
      1,
      "definition `a` is declared twice",
    ],
    [
      "a relation declared twice",
      "definition a {\n  relation r: a\n  permission r = r\n}",
      3,
      3,
      "`r` is declared twice",
    ],
  ])("%s is refused at its place", (_label, schema, line, column, reason) => {
    let error: unknown;
    try {
      outlineSchema(schema);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SchemaOutlineError);
    expect(error).toMatchObject({ line, column });
    expect((error as SchemaOutlineError).reason).toContain(reason);
  });
});

// SpiceDB's own consistency-test files, kept beside the repository (CI clones it with shared/).
const FIXTURES = resolve(REPO_ROOT, "../shared/fixtures/spicedb-testconfigs");
const present = existsSync(FIXTURES);
const fixtures = present
  ? readdirSync(FIXTURES)
      .filter((name) => name.endsWith(".yaml"))
      .sort()
  : [];

/**
 * SpiceDB prints a schema back with its own parentheses (`(a - b) - c`) and double quotes in
 * CEL; nothing else about an expression may differ.
 */
function withoutParenthesesAndQuotes(outline: SchemaOutline) {
  const data = plain(outline);
  return JSON.parse(JSON.stringify(data).replace(/[()]/g, "").replaceAll("'", '\\"'));
}

describe.skipIf(!present)("outlineSchema on SpiceDB's testconfigs", () => {
  test("all of them are there", () => {
    expect(fixtures).toHaveLength(73);
  });

  test.each(fixtures)("%s reads as SpiceDB reads it", async (name) => {
    const schema = (parse(readFileSync(join(FIXTURES, name), "utf8")) as { schema: string }).schema;
    const outline = outlineSchema(schema);
    expect(outline.definitions.size).toBeGreaterThan(0);

    // The same schema as SpiceDB prints it back must have the same outline.
    const engine = await EmbeddedEngine.start();
    try {
      await engine.writeSchema(schema);
      const printed = outlineSchema(await engine.readSchema());
      expect(withoutParenthesesAndQuotes(printed)).toEqual(withoutParenthesesAndQuotes(outline));
    } finally {
      await engine.close();
    }
  });
});
