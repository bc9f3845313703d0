import { z } from "@hono/zod-openapi";
import { TYPE_NAME } from "../authz/relationship-syntax.js";

/** Schemas shared by several route modules. */

export const Email = z
  .email({ message: "expected an email address" })
  .max(254)
  .openapi({ example: "bob@example.com" });

export const TenantId = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, { message: "expected a tenant id like ten_…" })
  .openapi({ example: "ten_5xq2m4r7kz3h6w1a9c8d0e2f" });

export const AccountId = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, { message: "expected an account id like acc_…" })
  .openapi({ example: "acc_7dfg2k4m5n6p7q8r9s2t3u4v" });

export const TypeName = z
  .string()
  .regex(TYPE_NAME, { message: "expected an object type name: lowercase letters, digits and _" })
  .openapi({ example: "project" });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    field: z.string().optional(),
  })
  .openapi("Problem");

/** The standard error responses, for route definitions. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: "problem",
        content: { "application/problem+json": { schema: ProblemSchema } },
      },
    ]),
  );

export const json = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
