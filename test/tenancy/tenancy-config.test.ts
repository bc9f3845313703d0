import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { outlineSchema } from "../../src/schema/schema-outline.js";
import {
  checkAgainstSchema,
  loadTenancyConfig,
  tenancyConfigFrom,
} from "../../src/tenancy/tenancy-config.js";
import { REPO_ROOT } from "../support/runtime.js";
import { tempDirForTest } from "../support/temp-dir.js";

const DEFAULT_FILE = join(REPO_ROOT, "tenancy.yaml");
const EXAMPLE = join(REPO_ROOT, "examples", "annotation-platform");
const defaultSchema = () => outlineSchema(readFileSync(join(REPO_ROOT, "schema.zed"), "utf8"));

/** The file's shape, loosely: what the edits below touch. */
interface Raw {
  tenant: {
    roles: { name: string; manage: string }[];
    permissions: Record<string, string>;
    [key: string]: unknown;
  };
  objects: { types: unknown };
  installation: { types: string[] };
  personalWorkspace: unknown;
}

/** The repository's file as a plain object, changed by `edit`, read as from `test.yaml`. */
function edited(edit: (raw: Raw) => void) {
  const raw = parse(readFileSync(DEFAULT_FILE, "utf8"));
  edit(raw);
  return () => tenancyConfigFrom(raw, "test.yaml");
}

describe("the repository's tenancy.yaml", () => {
  test("is the default model: owner > admin > member, owners made only with manage_owners", () => {
    const config = loadTenancyConfig(DEFAULT_FILE);
    expect(config.roleNames).toEqual(["owner", "admin", "member"]);
    expect(config.tenant.roles.map((r) => [r.name, r.manage])).toEqual([
      ["owner", "manage_owners"],
      ["admin", "manage_members"],
      ["member", "manage_members"],
    ]);
    expect(config.creatorRole).toBe("owner");
    expect(config.personalWorkspace.mode).toBe("off");
    expect([...config.protectedRelations].sort()).toEqual(
      ["role#tenant", "tenant#admin", "tenant#member", "tenant#owner", "tenant#role"].sort(),
    );
    expect(() => checkAgainstSchema(config, defaultSchema())).not.toThrow();
  });

  test("the annotation platform's file fits its own schema and not the default one", () => {
    const config = loadTenancyConfig(join(EXAMPLE, "tenancy.yaml"));
    const own = outlineSchema(readFileSync(join(EXAMPLE, "schema.zed"), "utf8"));
    expect(() => checkAgainstSchema(config, own)).not.toThrow();
    expect(() => checkAgainstSchema(config, defaultSchema())).toThrow(
      /is not in the deployed schema/,
    );
  });
});

describe("a file that cannot be right is refused with its path and the field", () => {
  test.each([
    [
      "a misspelt key",
      (raw: Raw) => {
        raw.tenant.rolls = raw.tenant.roles;
      },
      /^test\.yaml: tenant: .*rolls/,
    ],
    [
      "no roles",
      (raw: Raw) => {
        raw.tenant.roles = [];
      },
      /^test\.yaml: tenant\.roles: /,
    ],
    [
      "a role named twice",
      (raw: Raw) => {
        raw.tenant.roles.push({ name: "admin", manage: "manage" });
      },
      /^test\.yaml: tenant\.roles: a role is named twice$/,
    ],
    [
      "a creator role that is not a role",
      (raw: Raw) => {
        raw.tenant.creatorRole = "boss";
      },
      /^test\.yaml: tenant\.creatorRole: boss is not one of tenant\.roles$/,
    ],
    [
      "a guest that is also a role",
      (raw: Raw) => {
        raw.tenant.guest = { name: "member", manage: "manage_members" };
      },
      /^test\.yaml: tenant\.guest: member is also a role$/,
    ],
    [
      "a workspace without its role",
      (raw: Raw) => {
        raw.personalWorkspace = { mode: "personal" };
      },
      /^test\.yaml: personalWorkspace\.role: needed when mode is personal$/,
    ],
    [
      "a number where a name belongs",
      (raw: Raw) => {
        raw.tenant.belongs = Number.POSITIVE_INFINITY;
      },
      /^test\.yaml: tenant\.belongs: /,
    ],
  ])("%s", (_, edit, message) => {
    expect(edited(edit)).toThrow(message);
  });

  test("a file that is not YAML is named, in one line", () => {
    const path = join(tempDirForTest("tenancy-yaml"), "tenancy.yaml");
    writeFileSync(path, "tenant: [owner\n  admin: {\n");
    expect(() => loadTenancyConfig(path)).toThrow(new RegExp(`^${path}: [^\\n]+$`));
  });
});

describe("names the deployed schema lacks stop start-up at the first, with its field", () => {
  test.each([
    [
      "a role's relation",
      (raw: Raw) => {
        raw.tenant.roles.splice(1, 1, { name: "maintainer", manage: "manage_members" });
      },
      "test.yaml: tenant.roles[1].name: relation tenant#maintainer is not in the deployed schema",
    ],
    [
      "a role's manage permission",
      (raw: Raw) => {
        raw.tenant.roles.splice(0, 1, { name: "owner", manage: "manage_everything" });
      },
      "test.yaml: tenant.roles[0].manage: relation or permission tenant#manage_everything is not in the deployed schema",
    ],
    [
      "a permission that is a permission, named as a role",
      (raw: Raw) => {
        raw.tenant.roles.splice(2, 1, { name: "membership", manage: "manage_members" });
      },
      "test.yaml: tenant.roles[2].name: relation tenant#membership is not in the deployed schema",
    ],
    [
      "an administration permission",
      (raw: Raw) => {
        raw.tenant.permissions.readAudit = "read_audit";
      },
      "test.yaml: tenant.permissions.readAudit: relation or permission tenant#read_audit is not in the deployed schema",
    ],
    [
      "an object type",
      (raw: Raw) => {
        raw.objects.types = { dataset: { write: "manage" } };
      },
      "test.yaml: objects.types.dataset: definition dataset is not in the deployed schema",
    ],
    [
      "an installation type",
      (raw: Raw) => {
        raw.installation.types = ["platform"];
      },
      "test.yaml: installation.types: definition platform is not in the deployed schema",
    ],
  ])("%s", (_, edit, message) => {
    const config = edited(edit)();
    expect(() => checkAgainstSchema(config, defaultSchema())).toThrow(message);
  });
});
