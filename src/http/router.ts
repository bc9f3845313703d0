import { OpenAPIHono } from "@hono/zod-openapi";
import { ValidationError } from "../lib/errors.js";
import type { AppEnv } from "./services.js";

/**
 * A router whose request validation failures become 400 problems naming the offending field.
 * Every route module builds its routes on one of these.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue?.path.join(".") || undefined;
        throw new ValidationError(
          field ? `${field}: ${issue?.message}` : (issue?.message ?? "invalid request"),
          field,
        );
      }
    },
  });
}
