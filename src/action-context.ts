import type { Actor } from "./auth/actor.js";
import type { Services } from "./services.js";

/**
 * What every action receives besides its input: the services, who asks, and from where. Built
 * once per request by the HTTP edge (or by a CLI command); nothing in it knows about HTTP.
 */
export interface ActionContext {
  services: Services;
  /** undefined: nobody signed in (or a stale cookie, on the routes that allow it). */
  actor: Actor | undefined;
  /** The client's address (see clientIp), or null when there is no socket (in-process calls). */
  ip: string | null;
  userAgent: string | null;
}
