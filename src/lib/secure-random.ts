import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

/** 120 random bits as 24 lowercase base32 characters (Lucia's generateSecureRandomString). */
export function secureRandomString(): string {
  const bytes = new Uint8Array(15);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** A fresh id with a readable prefix, e.g. `usr_…`; the charset is valid as a SpiceDB object id. */
export function newId(prefix: "usr" | "ten" | "acc" | "inv" | "rol" | "key"): string {
  return `${prefix}_${secureRandomString()}`;
}

/** SHA-256 of a secret, hex: how tokens are kept at rest. */
export function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}
