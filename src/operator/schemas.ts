import { z } from "@hono/zod-openapi";
import { isoTime } from "../http/schemas.js";
import type { ViewAs } from "./view-as.js";

export const ViewAsSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    tenantId: z.string(),
    reason: z.string(),
    expiresAt: z.string(),
  })
  .openapi("ViewAs");

export function viewAsJson(viewAs: ViewAs): z.infer<typeof ViewAsSchema> {
  return {
    id: viewAs.id,
    accountId: viewAs.accountId,
    tenantId: viewAs.tenantId,
    reason: viewAs.reason,
    expiresAt: isoTime(viewAs.expiresAt),
  };
}
