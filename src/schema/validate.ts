import { EmbeddedEngine } from "../authz/embedded/embedded-engine.js";
import { applySchema } from "./apply-schema.js";
import { checkAssertions } from "./assertions.js";
import { checkExpectations } from "./expected-subjects.js";
import type { Failure } from "./failure.js";
import { loadRelationships } from "./load-relationships.js";
import { loadValidationFile } from "./validation-file.js";

export interface FileReport {
  file: string;
  /** Assertions and `validation:` entries the file states, whether or not they could be run. */
  assertions: number;
  failures: Failure[];
}

/**
 * Validates one `.zed` schema or validation YAML on a fresh embedded SpiceDB: the schema must
 * compile, the relationships load, and every assertion and expected-subject entry hold.
 * Throws UnusableInputError when the file cannot be read as either.
 */
export async function validateFile(file: string): Promise<FileReport> {
  const input = await loadValidationFile(file);
  const assertions = input.assertions.length + input.expectations.length;
  const report = (failures: Failure[]): FileReport => ({
    file,
    assertions,
    failures: failures.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column),
  });

  // A fresh engine per file: files must not see each other's schema or relationships.
  const engine = await EmbeddedEngine.start();
  try {
    const schemaFailure = await applySchema(engine, input.schema);
    if (schemaFailure) return report([schemaFailure]);
    const loaded = await loadRelationships(engine, input.relationships);
    if (loaded.failures.length > 0) return report(loaded.failures);
    return report([
      ...(await checkAssertions(engine, input.assertions)),
      ...(await checkExpectations(engine, input.expectations, loaded.written)),
    ]);
  } finally {
    await engine.close();
  }
}
