import { OpenAPIHono } from "@hono/zod-openapi";
import { ValidationError } from "../lib/errors.js";
import type { AppEnv } from "./app-env.js";

/**
 * A router whose request validation failures become 400 problems naming the offending field.
 * Every route module builds its routes on one of these.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        // A problem with the whole body (not an object, say) names the body itself.
        const field = issue?.path.join(".") || (result.target === "json" ? "body" : result.target);
        throw new ValidationError(`${field}: ${issue?.message ?? "invalid"}`, field);
      }
    },
  });
}
