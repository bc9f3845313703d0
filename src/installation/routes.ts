import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router.js";
import { problems } from "../http/schemas.js";
import { listUserAttributes, setUserAttribute } from "./user-attributes.js";

export const installationRoutes = createRouter();

const UserId = z
  .string()
  .regex(/^usr_[a-z2-7]{24}$/, { message: "expected a user id like usr_…" })
  .openapi({ example: "usr_5xq2m4r7kz3h6w1a9c8d0e2f" });
const Attribute = z
  .string()
  .regex(/^[a-z][a-z0-9_/]*:[a-zA-Z0-9/_|\-=+]{1,1024}#[a-z][a-z0-9_]*$/, {
    message: "expected type:id#relation, e.g. platform:main#admin (URL-encode the #)",
  })
  .openapi({ example: "platform:main#admin" });

installationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/users/{userId}/attributes",
    tags: ["installation"],
    summary: "A user's attributes (operators and write-scoped service keys)",
    request: { params: z.object({ userId: UserId }) },
    responses: {
      200: {
        description: "attributes",
        content: {
          "application/json": { schema: z.object({ attributes: z.array(z.string()) }) },
        },
      },
      ...problems(400, 401, 403, 404),
    },
  }),
  async (c) =>
    c.json(
      { attributes: await listUserAttributes({ ctx: c.get("ctx"), input: c.req.valid("param") }) },
      200,
    ),
);

for (const [method, present] of [
  ["put", true],
  ["delete", false],
] as const) {
  installationRoutes.openapi(
    createRoute({
      method,
      path: "/v1/users/{userId}/attributes/{attribute}",
      tags: ["installation"],
      summary: present
        ? "Give a user an attribute, on every account they have and will have"
        : "Take an attribute from a user, from every account",
      request: { params: z.object({ userId: UserId, attribute: Attribute }) },
      responses: {
        204: { description: present ? "set" : "removed" },
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      await setUserAttribute({ ctx: c.get("ctx"), input: { ...c.req.valid("param"), present } });
      return c.body(null, 204);
    },
  );
}
