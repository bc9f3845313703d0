import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeHex } from "@oslojs/encoding";
import type { Store } from "../data/database.js";
import { hashSecret, newId, secureRandomString } from "../lib/secure-random.js";
import {
  getServiceKeyRow,
  insertServiceKey,
  listServiceKeyRows,
  revokeServiceKeyRows,
} from "./store.js";

/**
 * Keys for other services: `tgs_<id>.<secret>`, stored as SHA-256 of the secret like sessions.
 * A key acts for no tenant of its own; it asks on behalf of an end user's session or an
 * explicit subject. Created, listed and revoked by operators through the CLI.
 */

export const SERVICE_KEY_PREFIX = "tgs_";
export const SERVICE_KEY_SCOPES = ["check", "write"] as const;
export type ServiceKeyScope = (typeof SERVICE_KEY_SCOPES)[number];

export interface ServiceKey {
  id: string;
  name: string;
  scope: ServiceKeyScope;
  createdAt: number;
  revokedAt: number | null;
}

export async function createServiceKey(
  store: Store,
  input: { name: string; scope: ServiceKeyScope },
  now: number,
): Promise<{ key: ServiceKey; token: string }> {
  const id = newId("key");
  const secret = `${secureRandomString()}${secureRandomString()}`;
  await insertServiceKey(store, {
    id,
    name: input.name,
    scope: input.scope,
    secret_hash: hashSecret(secret),
    created_at: now,
    revoked_at: null,
  });
  return {
    key: { id, name: input.name, scope: input.scope, createdAt: now, revokedAt: null },
    token: `${SERVICE_KEY_PREFIX}${id}.${secret}`,
  };
}

/** The live key a token names, or null (unknown, wrong secret or revoked). */
export async function validateServiceKey(store: Store, token: string): Promise<ServiceKey | null> {
  if (!token.startsWith(SERVICE_KEY_PREFIX)) return null;
  const [id, secret, ...rest] = token.slice(SERVICE_KEY_PREFIX.length).split(".");
  if (!id || !secret || rest.length > 0 || secret.length > 100) return null;
  const row = await getServiceKeyRow(store, id);
  if (!row || row.revoked_at !== null) return null;
  if (!constantTimeEqual(decodeHex(hashSecret(secret)), decodeHex(row.secret_hash))) return null;
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as ServiceKeyScope,
    createdAt: row.created_at,
    revokedAt: null,
  };
}

export async function listServiceKeys(store: Store): Promise<ServiceKey[]> {
  const rows = await listServiceKeyRows(store);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scope: r.scope as ServiceKeyScope,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  }));
}

/** Revokes a key by id or name, or by id only; returns how many keys were revoked. */
export function revokeServiceKey(
  store: Store,
  match: { id: string } | { idOrName: string },
  now: number,
): Promise<number> {
  return revokeServiceKeyRows(store, match, now);
}
