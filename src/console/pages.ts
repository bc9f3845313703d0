/** The two HTML pages the package serves: the console's shell and the API reference. */

const escapeHtml = (text: string) =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

/**
 * The console: one page whose script draws everything from the JSON API. The text inside #app
 * is what shows until the script runs, so a missing build or a disabled script is said, not a
 * blank page.
 */
export function consolePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tenantgate</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/console.css">
<script type="module" src="/assets/console.js"></script>
</head>
<body>
<div id="app">
<main id="main" class="centered">
<h1>tenantgate</h1>
<p>Loading the console… If this stays, the console's files are missing from this installation
(run <code>npm run build:console</code>), or scripts are disabled in this browser.</p>
<p>The API reference is at <a href="/docs">/docs</a>.</p>
</main>
</div>
</body>
</html>
`;
}

/** /docs: Swagger UI, served from this package, on the service's own OpenAPI document. */
export function apiReferencePage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/assets/docs.css">
<script src="/docs/assets/swagger-ui-bundle.js" defer></script>
<script type="module" src="/assets/docs.js"></script>
</head>
<body>
<main id="swagger">
<h1>${escapeHtml(title)} API reference</h1>
<p>Loading… The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
</main>
</body>
</html>
`;
}
