import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router.js";
import { problems } from "../http/schemas.js";
import { UnauthorizedError } from "../lib/errors.js";
import { deployedOutline } from "./deployed-outline.js";
import { describeSchema } from "./schema-docs.js";

export const schemaRoutes = createRouter();

const Doc = z.string().nullable();

schemaRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/schema",
    tags: ["schema"],
    summary: "The deployed schema: its text, and each definition's relations and permissions",
    responses: {
      200: {
        description: "the schema, readable",
        content: {
          "application/json": {
            schema: z.object({
              schema: z.string(),
              definitions: z.array(
                z.object({
                  name: z.string(),
                  doc: Doc,
                  relations: z.array(
                    z.object({ name: z.string(), doc: Doc, subjects: z.array(z.string()) }),
                  ),
                  permissions: z.array(
                    z.object({ name: z.string(), doc: Doc, expression: z.string() }),
                  ),
                }),
              ),
              caveats: z.array(
                z.object({
                  name: z.string(),
                  doc: Doc,
                  parameters: z.array(z.object({ name: z.string(), type: z.string() })),
                  expression: z.string(),
                }),
              ),
            }),
          },
        },
      },
      ...problems(401, 503),
    },
  }),
  async (c) => {
    // The schema names types, not any tenant's data; any signed-in user or service key may read it.
    if (!c.get("ctx").actor) throw new UnauthorizedError();
    const { text, outline } = await deployedOutline(c.get("services").engine);
    return c.json(describeSchema(text, outline), 200);
  },
);
