import type { AuthzEngine } from "../authz/engine.js";
import { outlineSchema, type SchemaOutline } from "./schema-outline.js";

let last: { text: string; outline: SchemaOutline } | undefined;

/**
 * The deployed schema's text and outline, read from the engine (so a schema applied since start
 * is seen); the outline of the last text read is reused while the text is unchanged.
 */
export async function deployedOutline(
  engine: AuthzEngine,
): Promise<{ text: string; outline: SchemaOutline }> {
  const text = await engine.readSchema();
  if (last?.text !== text) last = { text, outline: outlineSchema(text) };
  return last;
}
