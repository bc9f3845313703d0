import { api } from "../api.js";
import type { SchemaInfo } from "../types.js";
import { useLoad } from "./load.js";

let cached: Promise<SchemaInfo> | undefined;

/** The deployed schema, read once per page load (forms offer its types and relations). */
export function useSchema() {
  return useLoad(() => {
    cached ??= api<SchemaInfo>("GET", "/v1/schema").catch((error) => {
      cached = undefined;
      throw error;
    });
    return cached;
  }, []);
}

/** Types whose objects belong to tenants: `tenant`, and those with a `tenant` relation to it. */
export function tenantTypes(schema: SchemaInfo): string[] {
  return schema.definitions
    .filter(
      (d) =>
        d.name === "tenant" ||
        d.relations.some(
          (r) => r.name === "tenant" && r.subjects.some((s) => s.startsWith("tenant")),
        ),
    )
    .map((d) => d.name);
}
