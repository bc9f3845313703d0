/**
 * Sorts `perf record -g` samples of a tenantgate server (bench:mixed with MIXED_PERF=DIR) into
 * where the time went: the embedded engine's memory-datastore scans, its schema reads, Go's
 * garbage collector, the rest of SpiceDB (dispatch, gRPC middleware), and Node (tenantgate, HTTP,
 * V8). Each sample goes to the first bucket, in that order, that any frame of its stack matches.
 *
 *   node --import tsx bench/mixed/perf-buckets.ts FILE.perf.data [more files…]
 */
import { execFileSync } from "node:child_process";

const BUCKETS: { name: string; match: (frames: string[]) => boolean }[] = [
  {
    name: "Go garbage collector",
    match: (f) =>
      f.some((s) => /runtime\.(gcBgMarkWorker|gcAssistAlloc|bgsweep|bgscavenge|gcDrain)/.test(s)),
  },
  {
    name: "engine: schema definitions re-read",
    match: (f) =>
      f.some((s) =>
        /Legacy(ReadNamespaceByName|ReadCaveatByName|LookupNamespacesWithNames)/.test(s),
      ),
  },
  {
    name: "engine: memdb relationship scans",
    match: (f) =>
      f.some((s) =>
        /go-memdb|go-immutable-radix|memdb\.\(\*memdbReader\)\.(QueryRelationships|ReverseQueryRelationships)|filterFuncForFilters|newMemdbTupleIterator/.test(
          s,
        ),
      ),
  },
  {
    name: "engine: rest of SpiceDB (dispatch, gRPC, middleware, Go runtime)",
    match: (f) => f.some((s) => s.includes("libspicedb.so")),
  },
  { name: "Node: tenantgate, HTTP, V8, libuv, kernel", match: () => true },
];

function bucketsOf(file: string): Map<string, number> {
  const text = execFileSync("perf", ["script", "-i", file, "-F", "comm,tid,ip,sym,dso"], {
    encoding: "utf8",
    maxBuffer: 2 ** 30,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const counts = new Map<string, number>(BUCKETS.map((b) => [b.name, 0]));
  for (const sample of text.split("\n\n")) {
    const frames = sample.split("\n").slice(1).filter(Boolean);
    if (frames.length === 0) continue;
    const bucket = BUCKETS.find((b) => b.match(frames)) as (typeof BUCKETS)[number];
    counts.set(bucket.name, (counts.get(bucket.name) ?? 0) + 1);
  }
  return counts;
}

const files = process.argv.slice(2);
const results = files.map((file) => ({ file, counts: bucketsOf(file) }));
process.stdout.write(
  `| share of the server's CPU samples | ${files.map((f) => f.split("/").at(-1)).join(" | ")} |\n`,
);
process.stdout.write(`| --- | ${files.map(() => "---:").join(" | ")} |\n`);
for (const { name } of BUCKETS) {
  const cells = results.map(({ counts }) => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    return `${(((counts.get(name) ?? 0) / Math.max(1, total)) * 100).toFixed(1)} %`;
  });
  process.stdout.write(`| ${name} | ${cells.join(" | ")} |\n`);
}
process.stdout.write(
  `| samples | ${results.map(({ counts }) => [...counts.values()].reduce((a, b) => a + b, 0)).join(" | ")} |\n`,
);
