import { v1 } from "@authzed/authzed-node";
import type { ResolvedSubject } from "./subject.js";

/** The caveat parameter that carries the asker's network address (schema.zed's on_network). */
const CLIENT_IP_PARAMETER = "client_ip";

/**
 * The caveat context a question is asked with. For an end user's own session the client address
 * is the connection's, whatever the body says: otherwise a user could claim to be on the office
 * network from anywhere. A service key asking for its end user passes that user's address itself.
 */
export function questionContext(
  subject: ResolvedSubject,
  ip: string | null,
  context: Record<string, unknown> | undefined,
): v1.PbStruct | undefined {
  if (!subject.fromSession) return context ? v1.PbStruct.fromJson(context as never) : undefined;
  const { [CLIENT_IP_PARAMETER]: _claimed, ...rest } = context ?? {};
  const merged = ip === null ? rest : { ...rest, [CLIENT_IP_PARAMETER]: ip };
  return Object.keys(merged).length > 0 ? v1.PbStruct.fromJson(merged as never) : undefined;
}
