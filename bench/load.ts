/**
 * Drives one endpoint with autocannon and prints a JSON summary on stdout. Run as its own process
 * by bench/check.ts, so that the load generator does not share the server's event loop.
 *
 *   node --import tsx bench/load.ts URL PATH CONNECTIONS SECONDS [TOKEN] [PROJECTS]
 *
 * With TOKEN, it POSTs /v1/check bodies for a random project of PROJECTS (`project:t0_pN`).
 */
import autocannon from "autocannon";

const [url, path, connections, seconds, token, projects] = process.argv.slice(2);
const projectCount = Number(projects ?? 0);

const result = await autocannon({
  url: `${url}${path}`,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    token
      ? {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({
              resource: `project:t0_p${Math.floor(Math.random() * projectCount)}`,
              permission: "view",
            }),
          }),
        }
      : { method: "GET" },
  ],
});

process.stdout.write(
  `${JSON.stringify({
    path,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
