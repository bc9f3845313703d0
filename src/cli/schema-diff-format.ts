import type { Refusal, SchemaChange } from "../schema/schema-diff.js";

/** How `tenantgate schema diff|apply` prints a diff: one line per change or refusal. */

export function formatChange({ sign, text }: SchemaChange): string {
  return `${sign} ${text}`;
}

export function formatRefusal({ reason, example }: Refusal): string {
  return `! SpiceDB would refuse: ${reason}${example ? `, e.g. ${example}` : ""}`;
}
