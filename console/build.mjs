// Builds the admin console into dist/public (run by `npm run build:console`, part of `prepare`):
// the client bundle and stylesheet, and the OpenAPI renderer (Swagger UI) copied from its
// package, so that every asset the console and /docs load comes from this package and nothing
// from a CDN. Nothing here is committed; dist/ is ignored.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// dist/public, not dist/console: compiling src/ puts the server's src/console/*.js in dist/console.
const out = join(root, "dist", "public");
const require = createRequire(import.meta.url);

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "docs"), { recursive: true });

await build({
  entryPoints: {
    console: join(root, "console/src/main.tsx"),
    docs: join(root, "console/src/docs.ts"),
  },
  outdir: join(out, "assets"),
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  sourcemap: "linked",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "linked",
  logLevel: "warning",
});
for (const sheet of ["console.css", "docs.css"])
  copyFileSync(join(root, "console/src", sheet), join(out, "assets", sheet));

const swagger = dirname(require.resolve("swagger-ui-dist/package.json"));
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"])
  copyFileSync(join(swagger, file), join(out, "docs", file));
