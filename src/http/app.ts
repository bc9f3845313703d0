import { auditRoutes } from "../audit/routes.js";
import { authRoutes } from "../auth/routes.js";
import { EngineError } from "../authz/engine-error.js";
import { checkRoutes } from "../check/routes.js";
import { consoleRoutes, loggablePath } from "../console/routes.js";
import { healthRoutes } from "../health/routes.js";
import { installationRoutes } from "../installation/routes.js";
import { AppError, ValidationError } from "../lib/errors.js";
import { metricsRoutes } from "../metrics/routes.js";
import { operatorRoutes } from "../operator/routes.js";
import { applyViewAs } from "../operator/view-as-middleware.js";
import { relationshipRoutes } from "../relationships/routes.js";
import { roleRoutes } from "../roles/routes.js";
import { schemaRoutes } from "../schema/routes.js";
import type { Services } from "../services.js";
import { abilitiesRoutes } from "../tenancy/abilities-routes.js";
import { tenancyRoutes } from "../tenancy/routes.js";
import { authenticate, csrfProtection } from "./authenticate.js";
import { limitBody } from "./body-limit.js";
import { problemResponse, toAppError } from "./problem.js";
import { responseHeaders } from "./response-headers.js";
import { createRouter } from "./router.js";

const MAX_BODY_BYTES = 1024 * 1024;

/** The whole HTTP application. Importing this opens nothing; main.ts passes the services in. */
export function createApp(services: Services) {
  const app = createRouter();
  app.use(responseHeaders);
  // No legitimate request is anywhere near this; a larger body is refused before it is read whole.
  app.use(
    limitBody(MAX_BODY_BYTES, (c) =>
      problemResponse(
        c,
        new AppError(413, "body_too_large", `request body exceeds ${MAX_BODY_BYTES} bytes`, {
          field: "body",
        }),
      ),
    ),
  );
  app.use(async (c, next) => {
    c.set("services", services);
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const status = c.res.status;
    // The matched pattern, not the path: one time series per route, whatever the ids.
    const labels = {
      method: c.req.method,
      route: status === 404 && c.req.routePath === "/*" ? "unmatched" : c.req.routePath,
      status: String(status),
    };
    services.metrics.httpRequests.inc(labels);
    services.metrics.httpDuration.observe(labels, seconds);
    const level =
      status >= 500
        ? "error"
        : c.req.path.endsWith("z") || c.req.path === "/metrics"
          ? "debug"
          : "info";
    services.logger[level]({
      requestId: c.get("requestId"),
      method: c.req.method,
      path: loggablePath(c.req.path),
      status,
      ms: Math.round(seconds * 10_000) / 10,
    });
  });

  app.route("/", healthRoutes);
  app.route("/", metricsRoutes);
  app.use("/v1/*", authenticate, applyViewAs, csrfProtection);
  app.route("/", authRoutes);
  app.route("/", tenancyRoutes);
  app.route("/", abilitiesRoutes);
  app.route("/", checkRoutes);
  app.route("/", relationshipRoutes);
  app.route("/", roleRoutes);
  app.route("/", auditRoutes);
  app.route("/", installationRoutes);
  app.route("/", schemaRoutes);
  app.route("/", operatorRoutes);

  const document = {
    openapi: "3.0.3",
    info: {
      title: "tenantgate",
      version: "0.1.0",
      description:
        "Sign in once; act through one account per tenant; ask SpiceDB-backed questions. Errors are application/problem+json (RFC 9457). Authenticate with the session cookie or `Authorization: Bearer <session token or tgs_ service key>`.",
    },
  };
  app.doc("/openapi.json", document);
  app.route("/", consoleRoutes);

  app.notFound((c) =>
    problemResponse(
      c,
      new AppError(404, "route_not_found", `no route for ${c.req.method} ${c.req.path}`),
    ),
  );
  app.onError((error, c) => {
    const known = toAppError(error);
    if (known) {
      if (error instanceof EngineError && error.unavailable) {
        services.logger.warn(
          { err: error, requestId: c.get("requestId") },
          "authorization engine could not answer",
        );
      }
      return problemResponse(c, known);
    }
    // A body that is not JSON, for instance, surfaces as a malformed-request error from Hono.
    if (error instanceof SyntaxError || /malformed json/i.test(error.message)) {
      return problemResponse(
        c,
        new ValidationError("request body is not valid JSON", "body", "malformed_json"),
      );
    }
    services.logger.error({ err: error, requestId: c.get("requestId") }, "unhandled error");
    return problemResponse(
      c,
      new AppError(500, "internal", "internal error; see the server log for this request id"),
    );
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
