import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * The service's Prometheus metrics, on a registry of its own (several runtimes may share one
 * process in tests; the global registry would refuse the second set of names).
 */
export function createMetrics() {
  const registry = new Registry();
  // Counted on every check, so kept as plain numbers and handed over at scrape time: prom-client
  // hashes the label set on every inc(), which cost a cached check more than its cache lookup.
  const decisions = new Map<
    string,
    { labels: { result: string; source: string }; count: number }
  >();
  collectDefaultMetrics({ register: registry, prefix: "tenantgate_" });
  const registers = [registry];
  new Counter({
    name: "tenantgate_check_decisions_total",
    help: "Check decisions by result (has_permission, no_permission, conditional) and source (cache, engine)",
    labelNames: ["result", "source"] as const,
    registers,
    collect() {
      for (const { labels, count } of decisions.values()) {
        this.remove(labels);
        this.inc(labels, count);
      }
    },
  });
  return {
    registry,
    httpRequests: new Counter({
      name: "tenantgate_http_requests_total",
      help: "HTTP requests by method, route pattern and status",
      labelNames: ["method", "route", "status"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "tenantgate_http_request_duration_seconds",
      help: "HTTP request latency by method, route pattern and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    countCheckDecision(result: string, source: "cache" | "engine"): void {
      const key = `${result} ${source}`;
      const counted = decisions.get(key);
      if (counted) counted.count++;
      else decisions.set(key, { labels: { result, source }, count: 1 });
    },
    engineDuration: new Histogram({
      name: "tenantgate_engine_call_duration_seconds",
      help: "Authorization engine call latency by method",
      labelNames: ["method"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    engineErrors: new Counter({
      name: "tenantgate_engine_call_errors_total",
      help: "Authorization engine call errors by method and gRPC status code",
      labelNames: ["method", "code"] as const,
      registers,
    }),
    checkBatchSize: new Histogram({
      name: "tenantgate_check_batch_size",
      help: "Checks coalesced into one CheckBulkPermissions call",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 500],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
