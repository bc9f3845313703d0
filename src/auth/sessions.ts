import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeHex } from "@oslojs/encoding";
import type { Store } from "../data/database.js";
import type { SessionsTable } from "../data/tables.js";
import { hashSecret, secureRandomString } from "../lib/secure-random.js";
import type { SessionCache } from "./session-cache.js";
import {
  deleteSession,
  deleteUserSessions,
  getSessionWithUser,
  insertSession,
  listUserSessionRows,
  renewSession,
  type User,
} from "./store.js";

/**
 * Sessions in Lucia's design: a token `<id>.<secret>`, of which only SHA-256(secret) is stored
 * and compared in constant time. Added to Lucia's reference: an absolute lifetime that sliding
 * renewal never extends, and removal of expired rows.
 */

export interface SessionPolicy {
  /** Idle timeout: a session unused this long expires. Renewed (sliding) on use. */
  idleMs: number;
  /** Absolute lifetime from sign-in, never extended. */
  absoluteMs: number;
}

export interface Session {
  id: string;
  userId: string;
  activeAccountId: string | null;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  absoluteExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

function toSession(row: SessionsTable): Session {
  return {
    id: row.id,
    userId: row.user_id,
    activeAccountId: row.active_account_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

export async function createSession(
  store: Store,
  input: {
    userId: string;
    activeAccountId: string | null;
    ip: string | null;
    userAgent: string | null;
  },
  policy: SessionPolicy,
  now: number,
): Promise<{ session: Session; token: string }> {
  const id = secureRandomString();
  const secret = secureRandomString();
  const row: SessionsTable = {
    id,
    secret_hash: hashSecret(secret),
    user_id: input.userId,
    active_account_id: input.activeAccountId,
    created_at: now,
    last_used_at: now,
    expires_at: Math.min(now + policy.idleMs, now + policy.absoluteMs),
    absolute_expires_at: now + policy.absoluteMs,
    ip: input.ip,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
  };
  await insertSession(store, row);
  return { session: toSession(row), token: `${id}.${secret}` };
}

/** A live session with its user and the account it has active (if any, as stored). */
export interface ValidatedSession {
  session: Session;
  user: User;
  activeAccount: { id: string; tenantId: string; userId: string; disabled: boolean } | null;
}

const textEncoder = new TextEncoder();

/**
 * The renewed idle expiry, once half the idle window has passed; never past the absolute lifetime
 * (so a session near its end is not rewritten on every request).
 */
function renewedExpiry(
  session: { expiresAt: number; absoluteExpiresAt: number },
  policy: SessionPolicy,
  now: number,
): number | undefined {
  if (session.expiresAt - now >= policy.idleMs / 2) return undefined;
  const renewed = Math.min(now + policy.idleMs, session.absoluteExpiresAt);
  return renewed > session.expiresAt ? renewed : undefined;
}

/**
 * The session a token names, if the token is genuine and the session alive, with its user and
 * active account in the same query (this runs on every request), or from `cache` when one is
 * given and the store has not changed since. Renews the idle expiry once half of it has passed
 * (one write per half-window, not one per request), and then tells `onRenewed`.
 */
export async function validateSessionToken(
  store: Store,
  token: string,
  policy: SessionPolicy,
  now: number,
  cache?: SessionCache,
  onRenewed?: (session: Session) => void,
): Promise<ValidatedSession | null> {
  const parts = token.split(".");
  if (parts.length !== 2) return null;
  const [id, secret] = parts as [string, string];
  if (!/^[a-z2-7]{24}$/.test(id) || !/^[a-z2-7]{24}$/.test(secret)) return null;
  const cached = cache?.get(id, secret);
  // Expired or due for renewal: the query path deletes or renews it.
  if (
    cached &&
    now < cached.session.expiresAt &&
    now < cached.session.absoluteExpiresAt &&
    renewedExpiry(cached.session, policy, now) === undefined
  ) {
    return cached;
  }
  const readAt = cache?.current();
  const secretHash = sha256(textEncoder.encode(secret));
  const row = await getSessionWithUser(store, id);
  if (!row) return null;
  if (!constantTimeEqual(secretHash, decodeHex(row.secret_hash))) return null;
  if (now >= row.expires_at || now >= row.absolute_expires_at) {
    await invalidateSession(store, id);
    return null;
  }
  const session = toSession(row);
  const renewed = renewedExpiry(session, policy, now);
  if (renewed !== undefined) {
    session.expiresAt = renewed;
    session.lastUsedAt = now;
    await renewSession(store, id, session.expiresAt, now);
    onRenewed?.(session);
  }
  const validated: ValidatedSession = {
    session,
    user: {
      id: row.user_id,
      email: row.user_email,
      name: row.user_name,
      createdAt: row.user_created_at,
      operator: Boolean(row.user_operator),
    },
    activeAccount:
      row.active_account_id && row.account_tenant_id && row.account_user_id
        ? {
            id: row.active_account_id,
            tenantId: row.account_tenant_id,
            userId: row.account_user_id,
            disabled: row.account_disabled_at !== null,
          }
        : null,
  };
  // A renewal above moved the store's mark, so a renewed session is cached on its next use.
  if (readAt !== undefined) cache?.set(id, secret, validated, readAt);
  return validated;
}

export async function invalidateSession(store: Store, sessionId: string): Promise<void> {
  await deleteSession(store, sessionId);
}

/** Signs a user out everywhere, optionally keeping one session (the one that asked). */
export function invalidateUserSessions(
  store: Store,
  userId: string,
  keepSessionId?: string,
): Promise<number> {
  return deleteUserSessions(store, userId, keepSessionId);
}

export async function listUserSessions(
  store: Store,
  userId: string,
  now: number,
): Promise<Session[]> {
  return (await listUserSessionRows(store, userId, now)).map(toSession);
}
