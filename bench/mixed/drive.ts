/**
 * The mixed benchmark's load generator, run as its own process (never in the server's event
 * loop): autocannon with a request generator, every request a random asker and a random project
 * of that asker's tenant. Prints one JSON line (DriveResult) on stdout.
 *
 *   node --import tsx bench/mixed/drive.ts PLAN.json
 *
 * Latency percentiles are computed from every response's own time (autocannon's histogram rounds
 * to whole milliseconds), per status, so a 503 can be told from a slow 200.
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

export interface Asker {
  /** Headers that say who asks (a bearer token, a cookie); none for OpenFGA. */
  headers: Record<string, string>;
  /** OpenFGA's user (`account:t0_a9`). */
  subject?: string;
  /** Projects are `project:${prefix}${0 … count-1}`. */
  projectPrefix: string;
  projectCount: number;
}

export interface DrivePlan {
  kind: "tenantgate" | "better-auth" | "openfga" | "get";
  url: string;
  connections: number;
  seconds: number;
  askers: Asker[];
  /** OpenFGA: the store and model the checks go to. */
  openfga?: { storeId: string; modelId: string };
  /** A request counts as timed out (and its socket is reset) after this long. */
  timeoutSeconds?: number;
  /** At most this many requests a second in all (a probe rather than a load). */
  ratePerSecond?: number;
}

export interface DriveResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** 200 answers a second: a check row's throughput (a 503 is no answer to the question). */
  answeredPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  /** Per status: p50, p99 and max latency in ms. */
  latencyByStatus: Record<string, { p50: number; p99: number; max: number }>;
  /** 503 answers without a Retry-After header. */
  unavailableWithoutRetryAfter: number;
  /** 200 answers that said yes (allowed / success). */
  allowed: number;
  /** Socket errors and timeouts (no HTTP answer at all). */
  errors: number;
  timeouts: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function requestFor(plan: DrivePlan): autocannon.Request {
  const { askers } = plan;
  const pick = () => askers[Math.floor(Math.random() * askers.length)] as Asker;
  const project = (asker: Asker) =>
    `project:${asker.projectPrefix}${Math.floor(Math.random() * asker.projectCount)}`;
  switch (plan.kind) {
    case "get":
      return { method: "GET" };
    case "tenantgate":
      return {
        method: "POST",
        setupRequest: (request) => {
          const asker = pick();
          return {
            ...request,
            headers: { "content-type": "application/json", ...asker.headers },
            body: JSON.stringify({ resource: project(asker), permission: "view" }),
          };
        },
      };
    case "better-auth":
      // An RBAC question: better-auth has no relationships, so no project id to ask about.
      return {
        method: "POST",
        setupRequest: (request) => {
          const asker = pick();
          const action = Math.random() < 0.5 ? "create" : "update";
          return {
            ...request,
            headers: { "content-type": "application/json", ...asker.headers },
            body: JSON.stringify({ permissions: { project: [action] } }),
          };
        },
      };
    case "openfga": {
      const { storeId, modelId } = plan.openfga ?? { storeId: "", modelId: "" };
      return {
        method: "POST",
        path: `/stores/${storeId}/check`,
        setupRequest: (request) => {
          const asker = pick();
          return {
            ...request,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              tuple_key: { user: asker.subject, relation: "view", object: project(asker) },
              authorization_model_id: modelId,
            }),
          };
        },
      };
    }
  }
}

async function drive(plan: DrivePlan): Promise<DriveResult> {
  const latencies = new Map<number, number[]>();
  let unavailableWithoutRetryAfter = 0;
  let allowed = 0;
  const request = requestFor(plan);
  request.onResponse = (status, body, _context, headers) => {
    if (status === 503 && !headers?.["retry-after"] && !headers?.["Retry-After"])
      unavailableWithoutRetryAfter++;
    if (status === 200 && plan.kind !== "get" && /"(allowed|success)":\s*true/.test(body))
      allowed++;
  };
  // Without a callback autocannon returns its instance (an event emitter) made thenable.
  const instance = autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: plan.seconds,
    timeout: plan.timeoutSeconds ?? 10,
    ...(plan.ratePerSecond ? { overallRate: plan.ratePerSecond } : {}),
    requests: [request],
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on("response", (_client, status, _bytes, ms) => {
    const list = latencies.get(status);
    if (list) list.push(ms);
    else latencies.set(status, [ms]);
  });
  const result = await instance;
  const all: number[] = [];
  const statuses: Record<string, number> = {};
  const latencyByStatus: DriveResult["latencyByStatus"] = {};
  for (const [status, list] of latencies) {
    list.sort((a, b) => a - b);
    // Not push(...list): a /healthz row has hundreds of thousands of answers, more arguments
    // than a call may take.
    for (const ms of list) all.push(ms);
    statuses[status] = list.length;
    latencyByStatus[status] = {
      p50: round(percentile(list, 50)),
      p99: round(percentile(list, 99)),
      max: round(list.at(-1) ?? 0),
    };
  }
  all.sort((a, b) => a - b);
  return {
    requests: all.length,
    seconds: result.duration,
    requestsPerSecond: all.length / result.duration,
    answeredPerSecond: (statuses["200"] ?? 0) / result.duration,
    p50: round(percentile(all, 50)),
    p99: round(percentile(all, 99)),
    max: round(all.at(-1) ?? 0),
    statuses,
    latencyByStatus,
    unavailableWithoutRetryAfter,
    allowed,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as DrivePlan;
  process.stdout.write(`${JSON.stringify(await drive(plan))}\n`);
}
