/**
 * The admin of the mixed benchmark, run as its own process: grants and revokes at a fixed rate
 * through the service's own write API while the checks run. One admin, one write at a time, on
 * a schedule (write k is due at k / rate seconds): a write that takes longer than its slot makes
 * the next ones late, and those still due at the end count as attempted but not done. Prints one
 * JSON line (AdminResult).
 *
 *   node --import tsx bench/mixed/admin.ts PLAN.json
 */
import { readFileSync } from "node:fs";
import { percentile } from "./drive.js";

export interface AdminPlan {
  kind: "tenantgate" | "better-auth" | "openfga";
  url: string;
  ratePerSecond: number;
  seconds: number;
  headers: Record<string, string>;
  /** tenantgate and OpenFGA: relationships granted then revoked, in turn. */
  grants: string[];
  openfga?: { storeId: string; modelId: string };
  /** better-auth: the organization and the members whose role flips between member and admin. */
  betterAuth?: { organizationId: string; memberIds: string[] };
}

export interface AdminResult {
  attempted: number;
  done: number;
  failed: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  /** The first failure's answer, to show why. */
  firstFailure?: string;
}

function tupleKey(text: string) {
  const hash = text.indexOf("#");
  const at = text.indexOf("@", hash);
  return {
    object: text.slice(0, hash),
    relation: text.slice(hash + 1, at),
    user: text.slice(at + 1),
  };
}

/** Write k: grant k/2 when k is even, revoke it when odd. */
function writeFor(plan: AdminPlan, k: number): { path: string; body: unknown } {
  const grant = Math.floor(k / 2);
  const revoke = k % 2 === 1;
  switch (plan.kind) {
    case "tenantgate": {
      const relationship = plan.grants[grant % plan.grants.length] as string;
      return {
        path: "/v1/relationships",
        body: { updates: [{ operation: revoke ? "delete" : "touch", relationship }] },
      };
    }
    case "openfga": {
      const { storeId, modelId } = plan.openfga ?? { storeId: "", modelId: "" };
      const key = tupleKey(plan.grants[grant % plan.grants.length] as string);
      return {
        path: `/stores/${storeId}/write`,
        body: {
          authorization_model_id: modelId,
          ...(revoke ? { deletes: { tuple_keys: [key] } } : { writes: { tuple_keys: [key] } }),
        },
      };
    }
    case "better-auth": {
      const { organizationId, memberIds } = plan.betterAuth ?? {
        organizationId: "",
        memberIds: [],
      };
      return {
        path: "/api/auth/organization/update-member-role",
        body: {
          organizationId,
          memberId: memberIds[grant % memberIds.length],
          role: revoke ? "member" : "admin",
        },
      };
    }
  }
}

async function run(plan: AdminPlan): Promise<AdminResult> {
  const started = performance.now();
  const end = started + plan.seconds * 1000;
  const slot = 1000 / plan.ratePerSecond;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let failed = 0;
  let firstFailure: string | undefined;
  let k = 0;
  for (; ; k++) {
    const due = started + k * slot;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() >= end) break;
    const { path, body } = writeFor(plan, k);
    const t = performance.now();
    try {
      const response = await fetch(`${plan.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...plan.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(Math.ceil(Math.max(1, end - t + 5000))),
      });
      const text = await response.text();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      // A write answered after the run ended did not happen during it.
      if (response.ok && performance.now() <= end) latencies.push(performance.now() - t);
      else if (!response.ok) {
        failed++;
        firstFailure ??= `${response.status} ${text.slice(0, 300)}`;
      }
    } catch (error) {
      failed++;
      statuses.error = (statuses.error ?? 0) + 1;
      firstFailure ??= String(error);
    }
  }
  // A grant left in place by the last slot is revoked (unmeasured), so that the next run, which
  // starts again from the first grant, does not write what is already there.
  if (k % 2 === 1) {
    const { path, body } = writeFor(plan, k);
    await fetch(`${plan.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...plan.headers },
      body: JSON.stringify(body),
    }).catch(() => undefined);
  }
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    attempted: Math.round(plan.seconds * plan.ratePerSecond),
    done: latencies.length,
    failed,
    statuses,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? 0),
    ...(firstFailure ? { firstFailure } : {}),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as AdminPlan;
  process.stdout.write(`${JSON.stringify(await run(plan))}\n`);
}
