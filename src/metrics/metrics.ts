import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * The service's Prometheus metrics, on a registry of its own (several runtimes may share one
 * process in tests; the global registry would refuse the second set of names).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tenantgate_" });
  const registers = [registry];
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
    checkDecisions: new Counter({
      name: "tenantgate_check_decisions_total",
      help: "Check decisions by result (has_permission, no_permission, conditional) and source (cache, engine)",
      labelNames: ["result", "source"] as const,
      registers,
    }),
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
