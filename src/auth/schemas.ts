import { z } from "@hono/zod-openapi";
import { isoTime } from "../http/schemas.js";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password.js";
import type { Session } from "./sessions.js";
import type { SignedIn } from "./sign-in.js";
import type { User } from "./store.js";

/** The auth domain's request and response shapes, and how its results are shaped into them. */

export const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { message: `must be at most ${PASSWORD_MAX_LENGTH} characters` });

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    createdAt: z.string(),
    operator: z.boolean().openapi({ description: "an operator of this installation" }),
  })
  .openapi("User");

export const SignedInSchema = z
  .object({ user: UserSchema, session: z.object({ token: z.string(), expiresAt: z.string() }) })
  .openapi("SignedIn");

export const SessionInfo = z
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

export const userJson = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  createdAt: isoTime(user.createdAt),
  operator: user.operator,
});

export const signedInJson = (result: SignedIn) => ({
  user: userJson(result.user),
  session: { token: result.token, expiresAt: isoTime(result.session.expiresAt) },
});

export const sessionJson = (s: Session & { current: boolean }) => ({
  id: s.id,
  current: s.current,
  createdAt: isoTime(s.createdAt),
  lastUsedAt: isoTime(s.lastUsedAt),
  expiresAt: isoTime(s.expiresAt),
  ip: s.ip,
  userAgent: s.userAgent,
});
