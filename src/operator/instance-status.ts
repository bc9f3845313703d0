import type { ActionContext } from "../action-context.js";
import { requireOperator } from "./require-operator.js";
import { instanceCounts } from "./store.js";

interface MetricSample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * What /metrics says, as JSON the console can draw: counters and gauges whole; of a histogram
 * only its count and sum per label set (the buckets are for Prometheus, not for reading).
 */
async function metricsSummary(ctx: ActionContext) {
  const metrics = await ctx.services.metrics.registry.getMetricsAsJSON();
  return metrics.map((metric) => ({
    name: metric.name,
    help: metric.help,
    type: String(metric.type),
    values: (metric.values as MetricSample[])
      .filter((v) => !v.metricName?.endsWith("_bucket"))
      .map((v) => ({
        ...(v.metricName && v.metricName !== metric.name
          ? { series: v.metricName.slice(metric.name.length + 1) }
          : {}),
        labels: Object.fromEntries(Object.entries(v.labels).map(([k, l]) => [k, String(l)])),
        value: v.value,
      })),
  }));
}

/**
 * The instance at a glance for operators: whether the engine and the store answer (and how
 * fast), row counts, and the numbers /metrics exposes.
 */
export async function instanceStatus({ ctx }: { ctx: ActionContext }) {
  requireOperator(ctx);
  const { engine, store, config, clock } = ctx.services;
  const engineStarted = performance.now();
  const engineStatus = await engine.readSchema().then(
    () => ({ ready: true, detail: null }),
    () => ({ ready: false, detail: "the authorization engine did not answer; see the log" }),
  );
  const engineMs = performance.now() - engineStarted;
  const storeStarted = performance.now();
  const counts = await instanceCounts(store, clock()).then(
    (c) => ({ ready: true as const, counts: c }),
    () => ({ ready: false as const, counts: null }),
  );
  const storeMs = performance.now() - storeStarted;
  return {
    engine: {
      kind: engine.kind,
      ...engineStatus,
      latencyMs: Math.round(engineMs * 10) / 10,
    },
    store: {
      kind: config.DATABASE_URL ? "postgres" : "sqlite",
      ready: counts.ready,
      latencyMs: Math.round(storeMs * 10) / 10,
    },
    counts: counts.counts,
    uptimeSeconds: Math.round(process.uptime()),
    node: process.version,
    metrics: await metricsSummary(ctx),
  };
}
