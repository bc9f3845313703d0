import type { AuthzEngine } from "../authz/engine.js";

/** The grant a role relation `grant_<name>` stands for, e.g. `project_edit`. */
const GRANT_PREFIX = "grant_";

/**
 * The grants a custom role can carry, read from the deployed schema's `role` definition: every
 * relation named `grant_<name>`. Adding a grant to the schema makes it available here.
 */
export async function availableGrants(engine: AuthzEngine): Promise<string[]> {
  const schema = await engine.readSchema();
  const role = /definition\s+role\s*\{([\s\S]*?)\n\}/.exec(schema)?.[1] ?? "";
  return [...role.matchAll(/relation\s+grant_([a-z0-9_]+)\s*:/g)]
    .flatMap((m) => (m[1] ? [m[1]] : []))
    .sort();
}

export const grantRelation = (grant: string) => `${GRANT_PREFIX}${grant}`;

export function grantOf(relation: string): string | undefined {
  return relation.startsWith(GRANT_PREFIX) ? relation.slice(GRANT_PREFIX.length) : undefined;
}
