import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { actionContext, userActionContext } from "../http/action-context.js";
import { requireUser } from "../http/actor.js";
import { createRouter } from "../http/router.js";
import { Email, isoTime, json, problems, UserSchema } from "../http/schemas.js";
import type { AppEnv } from "../http/services.js";
import { clearSessionCookie, setSessionCookie } from "../http/session-cookie.js";
import { NotFoundError } from "../lib/errors.js";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password.js";
import { invalidateSession, invalidateUserSessions, listUserSessions } from "./sessions.js";
import { changePassword, logIn, type SignedIn, signUp } from "./sign-in.js";
import type { User } from "./users.js";

export const authRoutes = createRouter();

const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { message: `must be at most ${PASSWORD_MAX_LENGTH} characters` });

const SignedInSchema = z
  .object({ user: UserSchema, session: z.object({ token: z.string(), expiresAt: z.string() }) })
  .openapi("SignedIn");

export const userJson = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  createdAt: isoTime(user.createdAt),
});

function signedIn(c: Context<AppEnv>, result: SignedIn) {
  setSessionCookie(c, result.token, result.session.expiresAt);
  return {
    user: userJson(result.user),
    session: { token: result.token, expiresAt: isoTime(result.session.expiresAt) },
  };
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
    c.json(signedIn(c, await signUp({ ctx: actionContext(c), input: c.req.valid("json") })), 201),
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
    c.json(signedIn(c, await logIn({ ctx: actionContext(c), input: c.req.valid("json") })), 200),
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
    const actor = c.get("actor");
    if (actor?.kind === "user") await invalidateSession(c.get("services").store, actor.session.id);
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
    await changePassword({ ctx: userActionContext(c), input: c.req.valid("json") });
    return c.body(null, 204);
  },
);

const SessionInfo = z
  .object({
    id: z.string(),
    current: z.boolean(),
    createdAt: z.string(),
    lastUsedAt: z.string(),
    expiresAt: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .openapi("SessionInfo");

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
  async (c) => {
    const actor = requireUser(c);
    const { store, clock } = c.get("services");
    const sessions = await listUserSessions(store, actor.user.id, clock());
    return c.json(
      {
        sessions: sessions.map((s) => ({
          id: s.id,
          current: s.id === actor.session.id,
          createdAt: isoTime(s.createdAt),
          lastUsedAt: isoTime(s.lastUsedAt),
          expiresAt: isoTime(s.expiresAt),
          ip: s.ip,
          userAgent: s.userAgent,
        })),
      },
      200,
    );
  },
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
    const actor = requireUser(c);
    const { store, clock } = c.get("services");
    const { sessionId } = c.req.valid("param");
    const own = (await listUserSessions(store, actor.user.id, clock())).some(
      (s) => s.id === sessionId,
    );
    if (!own) throw new NotFoundError(`no session ${sessionId}`, "session_not_found");
    await invalidateSession(store, sessionId);
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
    const actor = requireUser(c);
    await invalidateUserSessions(c.get("services").store, actor.user.id);
    clearSessionCookie(c);
    return c.body(null, 204);
  },
);
