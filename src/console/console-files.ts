import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The console's built files (`npm run build:console` writes them to dist/public): found from
 * this module's place in the package, wherever the package is installed or compiled to.
 */
function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && /"name":\s*"tenantgate"/.test(readFileSync(manifest, "utf8")))
      return dir;
    if (dirname(dir) === dir) return start;
  }
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
  "": "text/plain; charset=utf-8",
};

export interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * The files of one folder under dist/public, read once: only names that exist there can be
 * asked for, so no request can name a path outside it.
 */
export class ConsoleFiles {
  private files: Map<string, ConsoleFile> | undefined;

  constructor(private readonly folder: "assets" | "docs") {}

  get(name: string): ConsoleFile | undefined {
    this.files ??= this.read();
    return this.files.get(name);
  }

  private read(): Map<string, ConsoleFile> {
    const dir = join(packageRoot(), "dist", "public", this.folder);
    const files = new Map<string, ConsoleFile>();
    if (!existsSync(dir)) return files;
    for (const name of readdirSync(dir)) {
      const type = TYPES[extname(name)];
      if (!type) continue;
      const body = readFileSync(join(dir, name));
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
      files.set(name, { body, type, etag });
    }
    return files;
  }
}
