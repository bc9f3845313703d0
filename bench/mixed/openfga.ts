/**
 * OpenFGA as a peer of the mixed benchmark: built with `go install` into a cache directory (once),
 * run with its SQLite datastore, holding an OpenFGA translation of schema.zed's tenant, role and
 * project definitions and the very same tuples.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, run, type Server, startServer, waitForHttp } from "./processes.js";
import { toTupleKey } from "./shape.js";

export const OPENFGA_VERSION = process.env.OPENFGA_VERSION ?? "v1.22.1";

/**
 * The binary: OPENFGA_BIN, or `go install github.com/openfga/openfga/cmd/openfga@VERSION` into
 * `${cacheDir}/bin` (skipped when already there). Returns the reason instead when it cannot be had.
 */
export function openfgaBinary(cacheDir: string): { bin: string } | { skip: string } {
  if (process.env.OPENFGA_BIN) return { bin: process.env.OPENFGA_BIN };
  const binDir = join(cacheDir, "bin");
  const bin = join(binDir, "openfga");
  if (existsSync(bin)) return { bin };
  mkdirSync(binDir, { recursive: true });
  try {
    run("go", ["install", `github.com/openfga/openfga/cmd/openfga@${OPENFGA_VERSION}`], {
      env: { ...process.env, GOBIN: binDir },
    });
  } catch (error) {
    return { skip: `go install openfga@${OPENFGA_VERSION} failed: ${String(error).slice(-600)}` };
  }
  return existsSync(bin) ? { bin } : { skip: `go install left no ${bin}` };
}

const direct = { this: {} };
const computed = (relation: string) => ({ computedUserset: { object: "", relation } });
const arrow = (tupleset: string, relation: string) => ({
  tupleToUserset: {
    tupleset: { object: "", relation: tupleset },
    computedUserset: { object: "", relation },
  },
});
const union = (...child: unknown[]) => ({ union: { child } });
const intersection = (...child: unknown[]) => ({ intersection: { child } });
const types = (...names: string[]) => ({
  directly_related_user_types: names.map((name) => {
    if (name.endsWith(":*")) return { type: name.slice(0, -2), wildcard: {} };
    const [type, relation] = name.split("#");
    return relation ? { type, relation } : { type };
  }),
});

const GRANTS = ["view", "edit", "delete", "manage"];

/**
 * schema.zed's user, account, tenant, role and project, in OpenFGA's JSON model (schema 1.1).
 * Caveats and expirations are left out, as the benchmark's tuples have none.
 */
export const OPENFGA_MODEL = {
  schema_version: "1.1",
  type_definitions: [
    { type: "user" },
    {
      type: "account",
      relations: { tenant: direct, user: direct },
      metadata: { relations: { tenant: types("tenant"), user: types("user") } },
    },
    {
      type: "tenant",
      relations: {
        owner: direct,
        admin: direct,
        member: direct,
        role: direct,
        membership: union(computed("owner"), computed("admin"), computed("member")),
        manage: union(computed("owner"), computed("admin")),
        ...Object.fromEntries(
          GRANTS.map((g) => [`role_project_${g}`, arrow("role", `project_${g}`)]),
        ),
      },
      metadata: {
        relations: {
          owner: types("account"),
          admin: types("account"),
          member: types("account"),
          role: types("role"),
        },
      },
    },
    {
      type: "role",
      relations: {
        tenant: direct,
        assignee: direct,
        ...Object.fromEntries(GRANTS.map((g) => [`grant_project_${g}`, direct])),
        manage: arrow("tenant", "manage"),
        ...Object.fromEntries(
          GRANTS.map((g) => [
            `project_${g}`,
            intersection(computed("assignee"), computed(`grant_project_${g}`)),
          ]),
        ),
      },
      metadata: {
        relations: {
          tenant: types("tenant"),
          assignee: types("account"),
          ...Object.fromEntries(GRANTS.map((g) => [`grant_project_${g}`, types("account:*")])),
        },
      },
    },
    {
      type: "project",
      relations: {
        tenant: direct,
        owner: direct,
        editor: direct,
        viewer: direct,
        manage: intersection(
          union(
            computed("owner"),
            arrow("tenant", "manage"),
            arrow("tenant", "role_project_manage"),
          ),
          arrow("tenant", "membership"),
        ),
        delete: intersection(
          union(computed("manage"), arrow("tenant", "role_project_delete")),
          arrow("tenant", "membership"),
        ),
        edit: intersection(
          union(computed("manage"), computed("editor"), arrow("tenant", "role_project_edit")),
          arrow("tenant", "membership"),
        ),
        view: intersection(
          union(computed("edit"), computed("viewer"), arrow("tenant", "role_project_view")),
          arrow("tenant", "membership"),
        ),
      },
      metadata: {
        relations: {
          tenant: types("tenant"),
          owner: types("account"),
          editor: types("account", "role#assignee"),
          viewer: types("account", "role#assignee"),
        },
      },
    },
  ],
};

export interface OpenFga {
  server: Server;
  url: string;
  storeId: string;
  modelId: string;
  stop(): Promise<void>;
}

async function call<T>(url: string, method: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/**
 * Migrates a fresh SQLite datastore in `workDir`, starts `openfga run` on loopback (no
 * playground, no metrics, no query or iterator caches: every check reads the datastore, as
 * OpenFGA does by default), creates a store with the model and writes the tuples.
 */
export async function startOpenFga(
  bin: string,
  workDir: string,
  relationships: string[],
  onProgress: (written: number) => void,
): Promise<OpenFga> {
  const uri = `file:${join(workDir, "openfga.db")}`;
  const datastore = ["--datastore-engine", "sqlite", "--datastore-uri", uri];
  run(bin, ["migrate", ...datastore]);
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const server = startServer(
    bin,
    [
      "run",
      ...datastore,
      "--http-addr",
      `127.0.0.1:${httpPort}`,
      "--grpc-addr",
      `127.0.0.1:${grpcPort}`,
      "--playground-enabled=false",
      "--metrics-enabled=false",
      "--log-level",
      "warn",
    ],
    { log: join(workDir, "openfga.log") },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitForHttp(`${url}/healthz`, server);
    const store = await call<{ id: string }>(`${url}/stores`, "POST", { name: "bench" });
    const model = await call<{ authorization_model_id: string }>(
      `${url}/stores/${store.id}/authorization-models`,
      "POST",
      OPENFGA_MODEL,
    );
    // OpenFGA takes at most 100 tuples a write by default; SQLite has one writer, so one at a time.
    for (let i = 0; i < relationships.length; i += 100) {
      await call(`${url}/stores/${store.id}/write`, "POST", {
        authorization_model_id: model.authorization_model_id,
        writes: { tuple_keys: relationships.slice(i, i + 100).map(toTupleKey) },
      });
      if ((i / 100) % 100 === 99) onProgress(i + 100);
    }
    return {
      server,
      url,
      storeId: store.id,
      modelId: model.authorization_model_id,
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
