import { createHash, timingSafeEqual } from "node:crypto";
import * as grpc from "@grpc/grpc-js";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Admits a call only with SpiceDB's preshared key in its metadata (`authorization: Bearer KEY`,
 * what every SpiceDB client sends); any other call ends UNAUTHENTICATED before its handler runs,
 * with SpiceDB's own messages.
 *
 * NOTE: SpiceDB itself answers a well-formed but wrong key with PERMISSION_DENIED, and only a
 * missing one with UNAUTHENTICATED. Here both are UNAUTHENTICATED. EngineError classes either as
 * the engine being unavailable (our credentials, not the caller's request: fail closed, 503).
 */
export function requirePresharedKey(presharedKey: string): grpc.ServerInterceptor {
  const expected = digest(presharedKey);
  const refusal = (metadata: grpc.Metadata): string | undefined => {
    const header = metadata.get("authorization")[0];
    const match = typeof header === "string" ? /^bearer(?:\s+(.*))?$/i.exec(header) : null;
    if (!match) return "invalid preshared key: Request unauthenticated with bearer";
    const token = match[1] ?? "";
    if (!token) return "missing preshared key";
    // Digests are of equal length, so the comparison takes the same time whatever the token.
    if (!timingSafeEqual(digest(token), expected)) return "invalid preshared key: invalid token";
    return undefined;
  };
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, proceed) {
            const reason = refusal(metadata);
            if (reason) {
              call.sendStatus({
                code: grpc.status.UNAUTHENTICATED,
                details: reason,
                metadata: new grpc.Metadata(),
              });
            } else {
              proceed(metadata);
            }
          },
        });
      },
    });
}
