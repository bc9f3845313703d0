#!/usr/bin/env node
// Runs the service bundled into dist/server (`npm install` builds it; so does `npm run build`).
try {
  await import("../dist/server/main.js");
} catch (error) {
  if (
    error?.code === "ERR_MODULE_NOT_FOUND" &&
    String(error.message).includes("dist/server/main.js")
  ) {
    process.stderr.write(
      "tenantgate: dist/ is missing; run `npm run build` (npm install does it)\n",
    );
    process.exit(1);
  }
  throw error;
}
