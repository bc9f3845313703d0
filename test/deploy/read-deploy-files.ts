import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

/** Readers for the files under deploy/, just enough of each format for the agreement tests. */

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const deployDir = join(repoRoot, "deploy");
export const k8sDir = join(deployDir, "k8s");

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), "utf8");
}

// ---- Dockerfile

export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  name: string;
  base: string;
  instructions: DockerInstruction[];
}

/**
 * Splits a Dockerfile into stages of instructions: comments dropped (also inside continued
 * lines, as Docker does), backslash continuations joined.
 */
export function parseDockerfile(text: string): DockerStage[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const joined = (pending + line).trim();
    pending = "";
    if (joined) logical.push(joined);
  }
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    if (keyword.toUpperCase() === "FROM") {
      const [base = "", , name] = args.split(/\s+/);
      stages.push({ name: name ?? String(stages.length), base, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`instruction before FROM: ${line}`);
    stage.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

export function instructions(stage: DockerStage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** ENV instructions of a stage, in both the `K=V K2=V2` and the legacy `K V` forms. */
export function dockerEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of instructions(stage, "ENV")) {
    const tokens = args.split(/\s+/);
    if (!tokens[0]?.includes("=")) {
      env[tokens[0] ?? ""] = tokens.slice(1).join(" ");
      continue;
    }
    for (const token of tokens) {
      const at = token.indexOf("=");
      env[token.slice(0, at)] = token.slice(at + 1).replace(/^"(.*)"$/, "$1");
    }
  }
  return env;
}

/** The exec-form (JSON) command after an instruction's options, e.g. HEALTHCHECK's `CMD [...]`. */
export function execForm(args: string): string[] {
  const start = args.indexOf("[");
  if (start < 0) throw new Error(`not in exec form: ${args}`);
  return JSON.parse(args.slice(start)) as string[];
}

export interface DockerCopy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function dockerCopies(stage: DockerStage): DockerCopy[] {
  return instructions(stage, "COPY").map((args) => {
    const tokens = args.split(/\s+/);
    const flags = tokens.filter((t) => t.startsWith("--"));
    const paths = tokens.filter((t) => !t.startsWith("--"));
    const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? "" };
  });
}

// ---- .dockerignore

export function dockerignorePatterns(): string[] {
  return readRepoFile(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

/** Whether a pattern (no negations; `*` and a leading `**\/` only) excludes a context path. */
export function dockerignoreExcludes(pattern: string, path: string): boolean {
  const anyDepth = pattern.startsWith("**/");
  const body = (anyDepth ? pattern.slice(3) : pattern).replace(/\/$/, "");
  const regex = new RegExp(
    `^${anyDepth ? "(?:.*/)?" : ""}${body
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*")}(?:/.*)?$`,
  );
  return regex.test(path.replace(/^\.\//, "").replace(/\/$/, ""));
}

// ---- docker-compose.yml

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  ports?: string[];
  volumes?: string[];
  networks?: string[];
  restart?: string;
  read_only?: boolean;
  tmpfs?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
}

export function readCompose(): ComposeFile {
  // Compose resolves YAML merge keys (`<<: *anchor`); the yaml package does when asked.
  return parse(readFileSync(join(deployDir, "docker-compose.yml"), "utf8"), {
    merge: true,
  }) as ComposeFile;
}

export function composeEnvironment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) {
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? "")]));
  }
  return Object.fromEntries(
    env.map((entry) => {
      const at = entry.indexOf("=");
      return at < 0 ? [entry, ""] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** The variables a compose value interpolates (`${NAME}`, `${NAME:-default}`, `${NAME:?error}`). */
export function interpolatedVariables(value: string): string[] {
  return [...value.matchAll(INTERPOLATION)].map((m) => m[1] ?? "");
}

/** Compose's interpolation, for values given in `shell`; a missing required one throws. */
export function interpolate(value: string, shell: Record<string, string>): string {
  return value.replace(INTERPOLATION, (_whole, name: string, operator?: string, arg?: string) => {
    const set = shell[name];
    const present = operator?.startsWith(":") ? Boolean(set) : set !== undefined;
    if (present) return set ?? "";
    if (operator?.endsWith("?")) throw new Error(`compose needs ${name}: ${arg}`);
    return operator?.endsWith("-") ? (arg ?? "") : "";
  });
}

export function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v?.condition]));
}

/** A healthcheck's command as one string; an entry YAML read as a mapping (`a: b`) throws. */
export function healthcheckCommand(service: ComposeService): string {
  const test: unknown = service.healthcheck?.test ?? [];
  const parts = Array.isArray(test) ? test : [test];
  for (const part of parts) {
    if (typeof part !== "string")
      throw new Error(`healthcheck entry is not a string: ${JSON.stringify(part)}`);
  }
  return parts.join(" ");
}

// ---- nginx.conf

export interface NginxConfig {
  upstreams: Record<string, string[]>;
  listen: string[];
  proxyPass: string[];
  proxyHeaders: Record<string, string>;
}

/** Upstream servers, listen ports, proxy_pass targets and proxy_set_header values. */
export function parseNginx(text: string): NginxConfig {
  const code = text
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, ""))
    .join("\n");
  const upstreams: Record<string, string[]> = {};
  for (const match of code.matchAll(/upstream\s+(\S+)\s*\{([^}]*)\}/g)) {
    upstreams[match[1] ?? ""] = [...(match[2] ?? "").matchAll(/^\s*server\s+(\S+)/gm)].map(
      (m) => m[1] ?? "",
    );
  }
  const values = (directive: string) =>
    [...code.matchAll(new RegExp(`^\\s*${directive}\\s+([^;]+);`, "gm"))].map((m) =>
      (m[1] ?? "").trim(),
    );
  const proxyHeaders = Object.fromEntries(
    values("proxy_set_header").map((v) => {
      const [name = "", ...rest] = v.split(/\s+/);
      return [name.toLowerCase(), rest.join(" ")];
    }),
  );
  return { upstreams, listen: values("listen"), proxyPass: values("proxy_pass"), proxyHeaders };
}

// ---- Kubernetes

export interface K8sObject {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field in the tests
  [field: string]: any;
}

export function k8sFiles(): string[] {
  return readdirSync(k8sDir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
}

/** Every document of every YAML file in deploy/k8s (multi-document files included). */
export function readK8sObjects(): K8sObject[] {
  return k8sFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(join(k8sDir, file), "utf8")).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const value = doc.toJS() as K8sObject | null;
      return value ? [{ ...value, file }] : [];
    }),
  );
}

export function findObject(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  }
  return found[0] as K8sObject;
}

export function labelsMatch(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

// ---- package.json and the sources the image runs

export function readPackageJson(): {
  version: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
} {
  return JSON.parse(readRepoFile("package.json"));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const builtins = new Set(builtinModules);

/**
 * Packages that code under src/ and bin/ loads at run time: value imports, side-effect imports,
 * re-exports and dynamic imports of bare specifiers; `import type` is erased and not counted.
 */
export function runtimeImports(): Map<string, string> {
  const patterns = [
    /^\s*import\s+(?!type\s)[^'";]*?\sfrom\s+["']([^"']+)["']/gm,
    /^\s*import\s+["']([^"']+)["']/gm,
    /^\s*export\s+(?!type\s)[^'";]*?\sfrom\s+["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  const found = new Map<string, string>();
  const files = [...walk(join(repoRoot, "src")), ...walk(join(repoRoot, "bin"))].filter((f) =>
    /\.(ts|js|mjs)$/.test(f),
  );
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1] ?? "";
        if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
        const parts = specifier.split("/");
        const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? "");
        if (builtins.has(name)) continue;
        if (!found.has(name)) found.set(name, relative(repoRoot, file));
      }
    }
  }
  return found;
}
