import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import type { SchemaOutline } from "../schema/schema-outline.js";

/**
 * The tenancy model tenantgate enforces, in the names of the deployed schema: which relations of
 * `tenant` are membership roles and in which rank, which permissions allow administering what,
 * who may write which relations, custom roles, installation-wide objects and user attributes, and
 * personal workspaces. Read from TENANCY_PATH (tenancy.yaml) at start, checked against the
 * deployed schema; docs/tenancy-config.md describes every field.
 *
 * The core type names are tenantgate's own and fixed: `user`, `account` (with `account#tenant`
 * and `account#user`) and `tenant`.
 */

const NAME = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,62}[a-z0-9]$/, { message: "expected a schema name like member" });
const TYPE = z.string().regex(/^([a-z][a-z0-9_]{1,61}[a-z0-9]\/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$/, {
  message: "expected a type name like project",
});

/** A permission to write relations: on the object itself (a name), or on its tenant. */
const WRITE = z.union([NAME, z.object({ tenant: NAME }).strict()]);
export type WriteRule = z.infer<typeof WRITE>;

const ROLE = z.object({ name: NAME, manage: NAME }).strict();

const schema = z
  .object({
    tenant: z
      .object({
        belongs: NAME.default("membership"),
        roles: z
          .array(ROLE)
          .min(1)
          .default([
            { name: "owner", manage: "manage_owners" },
            { name: "admin", manage: "manage_members" },
            { name: "member", manage: "manage_members" },
          ]),
        guest: ROLE.optional(),
        creatorRole: NAME.optional(),
        // Written into every new tenant with its first owner: `platform@platform:main` makes
        // tenant:T#platform@platform:main (installation-wide powers reach the tenant through it).
        links: z
          .array(
            z
              .string()
              .regex(
                /^[a-z][a-z0-9_]*@[a-z][a-z0-9_/]*:[a-zA-Z0-9/_|\-=+]{1,1024}(#[a-z][a-z0-9_]*)?$/,
                {
                  message: "expected relation@type:id, e.g. platform@platform:main",
                },
              ),
          )
          .default([]),
        permissions: z
          .object({
            viewMembers: NAME.default("view_members"),
            readAudit: NAME.default("view_audit"),
            manageRoles: NAME.default("manage"),
            linkObjects: NAME.default("manage"),
            askAboutMembers: NAME.default("manage"),
          })
          .strict()
          .default({
            viewMembers: "view_members",
            readAudit: "view_audit",
            manageRoles: "manage",
            linkObjects: "manage",
            askAboutMembers: "manage",
          }),
      })
      .strict(),
    objects: z
      .object({
        tenantRelation: NAME.default("tenant"),
        write: WRITE.default("manage"),
        types: z
          .record(
            TYPE,
            z
              .object({ write: WRITE.optional(), relations: z.record(NAME, WRITE).default({}) })
              .strict(),
          )
          .default({}),
        crossTenant: z
          .array(
            z
              .string()
              .regex(/^[a-z][a-z0-9_/]*#[a-z][a-z0-9_]*$/, { message: "expected type#relation" }),
          )
          .default([]),
      })
      .strict()
      .default({ tenantRelation: "tenant", write: "manage", types: {}, crossTenant: [] }),
    customRoles: z
      .object({
        type: TYPE.default("role"),
        assignee: NAME.default("assignee"),
        tenant: NAME.default("tenant"),
        link: NAME.default("role"),
        manage: NAME.default("manage"),
        grantPrefix: z
          .string()
          .regex(/^[a-z][a-z0-9_]*_$/)
          .default("grant_"),
      })
      .strict()
      .nullable()
      .default({
        type: "role",
        assignee: "assignee",
        tenant: "tenant",
        link: "role",
        manage: "manage",
        grantPrefix: "grant_",
      }),
    installation: z
      .object({
        types: z.array(TYPE).default([]),
        userAttributes: z
          .array(
            z.string().regex(/^[a-z][a-z0-9_/]*:[a-zA-Z0-9/_|\-=+]{1,1024}#[a-z][a-z0-9_]*$/, {
              message: "expected type:id#relation, e.g. platform:main#admin",
            }),
          )
          .default([]),
      })
      .strict()
      .default({ types: [], userAttributes: [] }),
    personalWorkspace: z
      .object({
        mode: z.enum(["off", "personal", "sandbox"]).default("off"),
        role: NAME.optional(),
        name: z.string().min(1).max(200).default("Personal"),
        sandboxTenant: z
          .string()
          .regex(/^[a-zA-Z0-9_-]{1,64}$/)
          .default("sandbox"),
      })
      .strict()
      .default({ mode: "off", name: "Personal", sandboxTenant: "sandbox" }),
  })
  .strict();

type Parsed = z.infer<typeof schema>;

export interface TenancyConfig extends Parsed {
  /** Where it came from, for messages. */
  source: string;
  /** Role names in rank order (highest first), the guest's after them if there is one. */
  roleNames: string[];
  /** The role the creator of a tenant gets: `creatorRole`, else the highest. */
  creatorRole: string;
  /** The relations never written through /v1/relationships (derived; see `protectedRelations`). */
  protectedRelations: Set<string>;
  /** `user`, `account` and the custom roles' links: every relation of these is protected. */
  protectedTypes: Set<string>;
}

export class TenancyConfigError extends Error {
  override name = "TenancyConfigError";
}

/** Reads and checks the file's shape (not yet against the schema: see `checkAgainstSchema`). */
export function loadTenancyConfig(path: string): TenancyConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8")) ?? {};
  } catch (error) {
    throw new TenancyConfigError(`${path}: ${(error as Error).message.split("\n", 1)[0]}`);
  }
  return tenancyConfigFrom(raw, path);
}

export function tenancyConfigFrom(raw: unknown, source: string): TenancyConfig {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TenancyConfigError(
      `${source}: ${issue?.path.join(".") || "(top)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const config = parsed.data;
  const roleNames = config.tenant.roles.map((r) => r.name);
  if (new Set(roleNames).size !== roleNames.length)
    throw new TenancyConfigError(`${source}: tenant.roles: a role is named twice`);
  if (config.tenant.guest && roleNames.includes(config.tenant.guest.name))
    throw new TenancyConfigError(
      `${source}: tenant.guest: ${config.tenant.guest.name} is also a role`,
    );
  const creatorRole = config.tenant.creatorRole ?? (roleNames[0] as string);
  for (const [field, role] of [
    ["tenant.creatorRole", creatorRole],
    ["personalWorkspace.role", config.personalWorkspace.role],
  ] as const) {
    if (role !== undefined && !roleNames.includes(role))
      throw new TenancyConfigError(`${source}: ${field}: ${role} is not one of tenant.roles`);
  }
  if (config.personalWorkspace.mode !== "off" && !config.personalWorkspace.role)
    throw new TenancyConfigError(
      `${source}: personalWorkspace.role: needed when mode is ${config.personalWorkspace.mode}`,
    );
  const all = [...roleNames, ...(config.tenant.guest ? [config.tenant.guest.name] : [])];
  const protectedRelations = new Set([
    ...all.map((r) => `tenant#${r}`),
    ...config.tenant.links.map((l) => `tenant#${l.slice(0, l.indexOf("@"))}`),
    ...(config.customRoles
      ? [
          `tenant#${config.customRoles.link}`,
          `${config.customRoles.type}#${config.customRoles.tenant}`,
        ]
      : []),
    // Written through the user-attributes API only, for every account of a user together.
    ...config.installation.userAttributes.map(
      (a) => `${a.slice(0, a.indexOf(":"))}#${a.slice(a.indexOf("#") + 1)}`,
    ),
  ]);
  return {
    ...config,
    source,
    roleNames: all,
    creatorRole,
    protectedRelations,
    protectedTypes: new Set(["user", "account"]),
  };
}

/**
 * Stops start-up, with one line naming it, at the first relation or permission the configuration
 * names that the deployed schema lacks.
 */
export function checkAgainstSchema(config: TenancyConfig, outline: SchemaOutline): void {
  const fail = (field: string, what: string): never => {
    throw new TenancyConfigError(
      `${config.source}: ${field}: ${what} is not in the deployed schema`,
    );
  };
  const member = (type: string, name: string, field: string, kind?: "relation" | "permission") => {
    const definition = outline.definitions.get(type) ?? fail(field, `definition ${type}`);
    const found = definition.members.get(name);
    if (!found || (kind && found.kind !== kind))
      fail(field, `${kind ?? "relation or permission"} ${type}#${name}`);
  };
  const { tenant, objects, customRoles, installation } = config;
  member("tenant", tenant.belongs, "tenant.belongs");
  tenant.roles.forEach((role, i) => {
    member("tenant", role.name, `tenant.roles[${i}].name`, "relation");
    member("tenant", role.manage, `tenant.roles[${i}].manage`);
  });
  if (tenant.guest) {
    member("tenant", tenant.guest.name, "tenant.guest.name", "relation");
    member("tenant", tenant.guest.manage, "tenant.guest.manage");
  }
  for (const link of tenant.links)
    member("tenant", link.slice(0, link.indexOf("@")), `tenant.links (${link})`, "relation");
  for (const [key, permission] of Object.entries(tenant.permissions))
    member("tenant", permission, `tenant.permissions.${key}`);
  member("account", "tenant", "(core)", "relation");
  member("account", "user", "(core)", "relation");
  for (const [type, rule] of Object.entries(objects.types)) {
    member(type, objects.tenantRelation, `objects.types.${type}`, "relation");
    const check = (write: WriteRule, field: string) =>
      typeof write === "string"
        ? member(type, write, field)
        : member("tenant", write.tenant, field);
    if (rule.write) check(rule.write, `objects.types.${type}.write`);
    for (const [relation, write] of Object.entries(rule.relations)) {
      member(type, relation, `objects.types.${type}.relations.${relation}`, "relation");
      check(write, `objects.types.${type}.relations.${relation}`);
    }
  }
  for (const entry of objects.crossTenant) {
    const [type, relation] = entry.split("#") as [string, string];
    member(type, relation, `objects.crossTenant (${entry})`, "relation");
  }
  if (customRoles) {
    member(customRoles.type, customRoles.assignee, "customRoles.assignee", "relation");
    member(customRoles.type, customRoles.tenant, "customRoles.tenant", "relation");
    member(customRoles.type, customRoles.manage, "customRoles.manage");
    member("tenant", customRoles.link, "customRoles.link", "relation");
  }
  for (const type of installation.types) {
    if (!outline.definitions.has(type)) fail("installation.types", `definition ${type}`);
  }
  for (const attribute of installation.userAttributes) {
    const type = attribute.slice(0, attribute.indexOf(":"));
    member(
      type,
      attribute.slice(attribute.indexOf("#") + 1),
      `installation.userAttributes (${attribute})`,
      "relation",
    );
  }
}

/** The permission, and where it is asked, to write `relation` of an object of `type`. */
export function writeRuleFor(config: TenancyConfig, type: string, relation: string): WriteRule {
  const rule = config.objects.types[type];
  return rule?.relations[relation] ?? rule?.write ?? config.objects.write;
}
