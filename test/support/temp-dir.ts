import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** A fresh, empty directory under os.tmpdir(). The caller removes it (see `removeDir`). */
export function createTempDir(label = "test"): string {
  return mkdtempSync(join(tmpdir(), `tenantgate-${label}-`));
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** A fresh directory removed when the current test finishes (call it inside a test). */
export function tempDirForTest(label = "test"): string {
  const path = createTempDir(label);
  onTestFinished(() => removeDir(path));
  return path;
}

/**
 * Directories for a whole file or suite (made in `beforeAll`): `make()` hands out fresh ones,
 * `removeAll()` (in `afterAll`) deletes every one handed out.
 */
export function tempDirPool(label = "test") {
  const made: string[] = [];
  return {
    make(): string {
      const path = createTempDir(label);
      made.push(path);
      return path;
    },
    removeAll(): void {
      for (const path of made.splice(0)) removeDir(path);
    },
  };
}
