import type { ActionContext } from "../action-context.js";
import type { Services } from "../services.js";

/** What a request carries through the middlewares to its route. */
export interface AppEnv {
  Variables: {
    services: Services;
    requestId: string;
    /** Who asks and from where, built once the credentials are known. */
    ctx: ActionContext;
  };
}
