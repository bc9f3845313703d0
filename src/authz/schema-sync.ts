import type { AuthzEngine } from "./engine.js";
import { EngineError, toEngineError } from "./engine-error.js";

export class SchemaRejectedError extends Error {
  override name = "SchemaRejectedError";
}

/**
 * Writes `schema` to the engine when it differs from the deployed one. SpiceDB refuses a schema
 * with a syntax error, or one that would orphan existing relationships; that refusal is thrown
 * as a SchemaRejectedError carrying SpiceDB's own message (with line and column).
 */
export async function syncSchema(
  engine: AuthzEngine,
  schema: string,
  source: string,
): Promise<"unchanged" | "written"> {
  const deployed = await engine.readSchema();
  if (normalise(deployed) === normalise(schema)) return "unchanged";
  try {
    await engine.writeSchema(schema);
    return "written";
  } catch (error) {
    const engineError = toEngineError(error);
    if (engineError instanceof EngineError && engineError.rejected) {
      throw new SchemaRejectedError(
        `${source}: SpiceDB rejected the schema: ${engineError.message}`,
      );
    }
    throw engineError;
  }
}

function normalise(schema: string): string {
  return schema.replace(/\s+/g, " ").trim();
}
