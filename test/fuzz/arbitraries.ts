import fc from "fast-check";

/**
 * Generators for hostile HTTP input, shaped by the routes' own OpenAPI schemas: mostly values of
 * the declared type (so that requests get past validation and reach the actions and the engine),
 * mixed with the kinds of input an outside review broke things with: huge, non-finite, deeply
 * nested, wrongly typed, other tenants' ids, arbitrary unicode.
 */

export interface KnownIds {
  tenants: string[];
  accounts: string[];
  roles: string[];
  projects: string[];
  invitations: string[];
  sessions: string[];
}

/** A JSON Schema object as the OpenAPI document holds it (the parts used here). */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: Schema | boolean;
  nullable?: boolean;
}

/**
 * JSON cannot carry Infinity or a number too big for a double, but a body can: values wrapped
 * like this are written raw into the body text (`1e400`) after JSON.stringify.
 */
const RAW = "\u0000raw:";
export const raw = (text: string) => `${RAW}${text}`;
export function toBodyText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000raw:([^"]*)"/g, "$1");
}

const hostileString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "../../etc/passwd",
    "%00",
    "'; DROP TABLE users; --",
    "\u202eevil",
    "🙂🙂🙂",
    "account:*",
    "project:*",
    "tenant:*#member",
    "a".repeat(5_000),
    "x".repeat(100_000),
    "__proto__",
    "constructor",
  ),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(
    raw("1e400"),
    raw("-1e400"),
    raw("1e-400"),
    raw("123456789012345678901234567890"),
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1),
);

/** Nested arrays or objects `depth` deep, written raw (deeper than any parser walk should go). */
const deep = fc
  .tuple(fc.integer({ min: 10, max: 4000 }), fc.boolean())
  .map(([depth, objects]) =>
    raw(
      objects
        ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`
        : `${"[".repeat(depth)}${"]".repeat(depth)}`,
    ),
  );

/** Any value at all: what a confused or hostile client puts where something else belongs. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

function idsArb(ids: KnownIds, kind: keyof KnownIds, prefix: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids[kind]) },
    { weight: 1, arbitrary: fc.stringMatching(new RegExp(`^${prefix}_[a-z2-7]{24}$`)) },
  );
}

/** A relationship in SpiceDB's string syntax, mostly well-formed, on known and unknown objects. */
export function relationshipString(ids: KnownIds): fc.Arbitrary<string> {
  const object = fc.oneof(
    idsArb(ids, "projects", "p").map((id) => `project:${id}`),
    idsArb(ids, "tenants", "ten").map((id) => `tenant:${id}`),
    idsArb(ids, "roles", "rol").map((id) => `role:${id}`),
    idsArb(ids, "accounts", "acc").map((id) => `account:${id}`),
    fc.string({ maxLength: 30 }).map((s) => `project:${s}`),
  );
  const relation = fc.constantFrom(
    "tenant",
    "owner",
    "editor",
    "viewer",
    "member",
    "admin",
    "role",
    "assignee",
    "grant_project_edit",
    "nonesuch",
    "X",
  );
  const subject = fc.oneof(
    idsArb(ids, "accounts", "acc").map((id) => `account:${id}`),
    idsArb(ids, "tenants", "ten").map((id) => `tenant:${id}`),
    idsArb(ids, "roles", "rol").map((id) => `role:${id}#assignee`),
    fc.constantFrom("account:*", "user:u1", "account:acc#...", "tenant:t#member"),
  );
  const context = fc.oneof(
    fc.constantFrom(
      '{"allowed_cidr":"10.0.0.0/8"}',
      '{"allowed_cidr":1e400}',
      '{"nonesuch":1}',
      "{",
      "[]",
    ),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ allowed_cidr: v })),
    fc.integer({ min: 10, max: 3000 }).map((d) => `{"a":${"[".repeat(d)}${"]".repeat(d)}}`),
  );
  const suffix = fc.oneof(
    { weight: 6, arbitrary: fc.constant("") },
    { weight: 2, arbitrary: context.map((c) => `[on_network:${c}]`) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.constantFrom("2100-01-01T00:00:00Z", "not-a-date", "99999-01-01T00:00:00Z", ""),
        )
        .map((t) => `[expiration:${t}]`),
    },
    { weight: 1, arbitrary: hostileString.map((s) => `[${s}]`) },
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(object, relation, subject, suffix)
        .map(([o, r, s, x]) => `${o}#${r}@${s}${x}`),
    },
    { weight: 1, arbitrary: hostileString },
  );
}

/** Values for fields whose name says what they hold, beyond what their schema says. */
function namedField(name: string, ids: KnownIds): fc.Arbitrary<unknown> | undefined {
  switch (name) {
    case "relationship":
      return relationshipString(ids);
    case "resource":
      return fc.oneof(
        idsArb(ids, "projects", "p").map((id) => `project:${id}`),
        idsArb(ids, "roles", "rol").map((id) => `role:${id}`),
        idsArb(ids, "tenants", "ten").map((id) => `tenant:${id}`),
        fc.string({ maxLength: 20 }).map((s) => `project:${s}`),
      );
    case "subject":
      return fc.oneof(
        idsArb(ids, "accounts", "acc").map((id) => `account:${id}`),
        fc.constantFrom("account:*", "role:r#assignee", "user:u"),
      );
    case "permission":
      return fc.constantFrom(
        "view",
        "edit",
        "manage",
        "delete",
        "membership",
        "grant_project_edit",
        "tenant",
        "nonesuch",
      );
    case "resourceType":
    case "subjectType":
      return fc.constantFrom("project", "tenant", "role", "account", "user", "nonesuch");
    case "tenantId":
      return idsArb(ids, "tenants", "ten");
    case "accountId":
      return idsArb(ids, "accounts", "acc");
    case "roleId":
      return idsArb(ids, "roles", "rol");
    case "invitationId":
      return idsArb(ids, "invitations", "inv");
    case "sessionId":
      return fc.oneof(fc.constantFrom(...ids.sessions), fc.stringMatching(/^[a-z2-7]{24}$/));
    case "context":
      return fc.oneof(
        fc.dictionary(fc.string({ maxLength: 12 }), hostileValue, { maxKeys: 4 }),
        fc.constant({ client_ip: "10.1.2.3" }),
      );
    default:
      return undefined;
  }
}

/** A value for `schema`: usually of its type, now and then anything at all. */
export function fromSchema(
  schema: Schema | undefined,
  ids: KnownIds,
  name = "",
): fc.Arbitrary<unknown> {
  const typed = typedValue(schema, ids, name);
  return fc.oneof({ weight: 9, arbitrary: typed }, { weight: 1, arbitrary: hostileValue });
}

function typedValue(
  schema: Schema | undefined,
  ids: KnownIds,
  name: string,
): fc.Arbitrary<unknown> {
  const named = namedField(name, ids);
  if (named) return named;
  if (!schema) return hostileValue;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => typedValue(s, ids, name)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case "object": {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0)
        return fc.dictionary(fc.string({ maxLength: 10 }), hostileValue, { maxKeys: 3 });
      const required = new Set(schema.required ?? []);
      return fc
        .tuple(
          ...properties.map(([key, value]) =>
            fc.tuple(
              fc.constant(key),
              fromSchema(value, ids, key),
              fc.double({ min: 0, max: 1, noNaN: true }),
            ),
          ),
        )
        .map((entries) =>
          Object.fromEntries(
            // Required fields are nearly always there, optional ones half the time.
            entries
              .filter(([key, , dice]) => dice < (required.has(key) ? 0.97 : 0.5))
              .map(([key, value]) => [key, value]),
          ),
        );
    }
    case "array": {
      const max = Math.min(schema.maxItems ?? 5, 5);
      return fc.oneof(
        { weight: 9, arbitrary: fc.array(fromSchema(schema.items, ids, name), { maxLength: max }) },
        // Past the limit.
        {
          weight: 1,
          arbitrary: fc.constant(Array.from({ length: (schema.maxItems ?? 1000) + 1 }, () => ({}))),
        },
      );
    }
    case "integer":
    case "number":
      return hostileNumber;
    case "boolean":
      return fc.boolean();
    case "string": {
      if (schema.format === "email")
        return fc.oneof(fc.emailAddress(), fc.constantFrom("x@y", "@", "a@b.c".padStart(300, "a")));
      if (schema.format === "date-time")
        return fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          hostileString,
        );
      const fitting = schema.pattern
        ? fc.stringMatching(new RegExp(schema.pattern))
        : fc.string({
            minLength: schema.minLength ?? 0,
            maxLength: Math.min(schema.maxLength ?? 40, 40),
          });
      return fc.oneof({ weight: 4, arbitrary: fitting }, { weight: 1, arbitrary: hostileString });
    }
    default:
      return hostileValue;
  }
}

/** A body as sent: JSON of a value shaped by the schema, or text that is not JSON at all. */
export function bodyText(
  schema: Schema | undefined,
  ids: KnownIds,
): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fromSchema(schema, ids).map(toBodyText) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        "",
        "{",
        "null",
        "[]",
        '"just a string"',
        '{"a":1e400}',
        `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
        `{"a":"${"x".repeat(1_100_000)}"}`,
        "\uFEFF{}",
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  );
}

/** A path parameter, to be URL-encoded into the path. */
export function pathParameter(
  name: string,
  schema: Schema | undefined,
  ids: KnownIds,
): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary:
        (namedField(name, ids) as fc.Arbitrary<string> | undefined) ??
        fc.string({ minLength: 1, maxLength: 30 }),
    },
    {
      weight: 1,
      arbitrary: schema?.pattern
        ? fc.stringMatching(new RegExp(schema.pattern))
        : fc.string({ minLength: 1 }),
    },
    { weight: 1, arbitrary: hostileString.filter((s) => s.length > 0) },
  );
}
