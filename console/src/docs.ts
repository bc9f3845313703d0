// Starts Swagger UI on /docs with the service's own OpenAPI document. A separate file, because
// the page's Content-Security-Policy allows no inline script.
declare const SwaggerUIBundle: (options: Record<string, unknown>) => unknown;

SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger",
  deepLinking: true,
  // Same-origin requests carry the session cookie; the API's CSRF rule accepts their Origin.
  withCredentials: true,
  tryItOutEnabled: false,
});
