import { randomBytes } from "node:crypto";

let counter = 0;

/**
 * A fresh object id, unique across test files and runs (`p_3_9f1c2a7e`), in SpiceDB's id
 * alphabet. Tests build their relationships from these instead of a shared seed, so they never
 * see each other's data even on one engine.
 */
export function freshId(prefix: string): string {
  counter++;
  return `${prefix}_${counter}_${randomBytes(4).toString("hex")}`;
}
