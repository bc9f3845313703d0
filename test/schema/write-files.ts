import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirForTest } from "../support/temp-dir.js";

/** Writes `files` (name → content) into a fresh temp dir removed after the test; returns paths. */
export function writeTestFiles<Names extends string>(
  files: Record<Names, string>,
): Record<Names, string> {
  const dir = tempDirForTest("schema");
  const paths = {} as Record<Names, string>;
  for (const [name, content] of Object.entries(files) as [Names, string][]) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], content);
  }
  return paths;
}

/** Writes one file into a fresh temp dir removed after the test; returns its path. */
export function writeTestFile(name: string, content: string): string {
  return writeTestFiles({ [name]: content })[name] as string;
}

/** The 1-based line of the first line of `content` that contains `needle`. */
export function lineOf(content: string, needle: string): number {
  const index = content.split("\n").findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" is not in the content`);
  return index + 1;
}

/** A small schema with a caveat, a wildcard, an exclusion and nested groups. */
export const DOCUMENT_SCHEMA = `definition user {}

caveat on_network(allowed_cidr string, client_ip ipaddress) {
  client_ip.in_cidr(allowed_cidr)
}

definition group {
  relation member: user | group#member
}

definition document {
  relation viewer: user | user:* | group#member | user with on_network
  relation banned: user | user with on_network
  relation parent: group
  permission view = viewer - banned
  permission read = parent->member
}
`;
