import { hash, verify } from "@node-rs/argon2";

export const PASSWORD_MIN_LENGTH = 8;
/** Argon2 cost grows with input; a cap keeps one request from burning a core (hash-DoS). */
export const PASSWORD_MAX_LENGTH = 256;

// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
const OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash so that a login for an unknown email costs the same time as
 * one with a wrong password.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword("tenantgate-dummy-password");
  await verifyPassword(await dummyHash, password);
}
