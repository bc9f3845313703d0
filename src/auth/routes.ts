import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../http/app-env.js";
import { createRouter } from "../http/router.js";
import { Email, json, problems } from "../http/schemas.js";
import { clearSessionCookie, setSessionCookie } from "../http/session-cookie.js";
import { PASSWORD_MAX_LENGTH } from "./password.js";
import { Password, SessionInfo, SignedInSchema, sessionJson, signedInJson } from "./schemas.js";
import { endAllSessions, endSession, listSessions, signOut } from "./session-actions.js";
import { changePassword, logIn, type SignedIn, signUp } from "./sign-in.js";

export const authRoutes = createRouter();

/** A session begun: its cookie for browsers, its token in the body for everyone else. */
function signedIn(c: Context<AppEnv>, result: SignedIn) {
  setSessionCookie(c, result.token, result.session.expiresAt);
  return signedInJson(result);
}

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/signup",
    tags: ["auth"],
    summary: "Create a user and sign in",
    request: {
      body: json(
        z.object({
          email: Email,
          password: Password,
          name: z.string().trim().min(1).max(200).optional(),
          invitationToken: z.string().min(1).max(200).optional().openapi({
            description:
              "Accept this invitation in the same step (required with SIGNUP=invite-only)",
          }),
        }),
      ),
    },
    responses: {
      201: {
        description: "signed up; also sets the session cookie",
        content: { "application/json": { schema: SignedInSchema } },
      },
      ...problems(400, 403, 404, 409, 410, 429),
    },
  }),
  async (c) =>
    c.json(signedIn(c, await signUp({ ctx: c.get("ctx"), input: c.req.valid("json") })), 201),
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/login",
    tags: ["auth"],
    summary: "Sign in with email and password",
    request: {
      body: json(z.object({ email: Email, password: z.string().min(1).max(PASSWORD_MAX_LENGTH) })),
    },
    responses: {
      200: {
        description: "signed in; also sets the session cookie",
        content: { "application/json": { schema: SignedInSchema } },
      },
      ...problems(400, 401, 429),
    },
  }),
  async (c) =>
    c.json(signedIn(c, await logIn({ ctx: c.get("ctx"), input: c.req.valid("json") })), 200),
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/logout",
    tags: ["auth"],
    summary: "Sign out: delete this session on the server (signed out already: nothing to do)",
    responses: { 204: { description: "signed out" } },
  }),
  async (c) => {
    await signOut({ ctx: c.get("ctx") });
    clearSessionCookie(c);
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/auth/password",
    tags: ["auth"],
    summary: "Change the password; signs out every other session",
    request: {
      body: json(
        z.object({
          currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
          newPassword: Password,
        }),
      ),
    },
    responses: { 204: { description: "changed" }, ...problems(400, 401, 429) },
  }),
  async (c) => {
    await changePassword({ ctx: c.get("ctx"), input: c.req.valid("json") });
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/sessions",
    tags: ["sessions"],
    summary: "The signed-in user's sessions",
    responses: {
      200: {
        description: "sessions",
        content: { "application/json": { schema: z.object({ sessions: z.array(SessionInfo) }) } },
      },
      ...problems(401),
    },
  }),
  async (c) =>
    c.json({ sessions: (await listSessions({ ctx: c.get("ctx") })).map(sessionJson) }, 200),
);

authRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/sessions/{sessionId}",
    tags: ["sessions"],
    summary: "Sign out one of the user's sessions",
    request: { params: z.object({ sessionId: z.string().min(1).max(64) }) },
    responses: { 204: { description: "signed out" }, ...problems(401, 404) },
  }),
  async (c) => {
    await endSession({ ctx: c.get("ctx"), input: c.req.valid("param") });
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/sessions",
    tags: ["sessions"],
    summary: "Sign out everywhere: every session of the user, this one included",
    responses: { 204: { description: "signed out everywhere" }, ...problems(401) },
  }),
  async (c) => {
    await endAllSessions({ ctx: c.get("ctx") });
    clearSessionCookie(c);
    return c.body(null, 204);
  },
);
