// Starts Swagger UI on /docs with the service's own OpenAPI document. A separate file, because
// the page's Content-Security-Policy allows no inline script.
declare const SwaggerUIBundle: (options: Record<string, unknown>) => unknown;

SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger",
  // Deep links put an <a> inside each operation's toggle button (nested controls, which screen
  // readers cannot reach); without them the page passes axe-core.
  deepLinking: false,
  // Same-origin requests carry the session cookie; the API's CSRF rule accepts their Origin.
  withCredentials: true,
  tryItOutEnabled: false,
});
