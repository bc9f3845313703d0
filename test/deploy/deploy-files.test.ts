import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { parseAllDocuments } from "yaml";
import { configSchema, loadConfig } from "../../src/config.js";
import { healthRoutes } from "../../src/health/routes.js";
import {
  type ComposeService,
  composeEnvironment,
  type DockerStage,
  dependsOn,
  deployDir,
  dockerCopies,
  dockerEnv,
  dockerignoreExcludes,
  dockerignorePatterns,
  execForm,
  findObject,
  healthcheckCommand,
  instructions,
  interpolate,
  interpolatedVariables,
  type K8sObject,
  k8sDir,
  k8sFiles,
  labelsMatch,
  parseDockerfile,
  parseNginx,
  readCompose,
  readK8sObjects,
  readPackageJson,
  readRepoFile,
  repoRoot,
  runtimeImports,
} from "./read-deploy-files.js";

/**
 * The deploy files and the code must agree: every variable the deployments set is one tenantgate
 * reads (and parses), ports and health paths are the app's, the schema lands where SCHEMA_PATH
 * says, and the pieces of each deployment point at each other. No Docker engine or cluster is
 * needed: the files are read, not run.
 */

/** Variables set for tenantgate's container that src/config.ts does not read, and why. */
const NOT_TENANTGATE: Record<string, string> = {
  NODE_ENV: "production mode for libraries; tenantgate itself ignores it",
};

const LIVENESS = "/healthz";
const READINESS = "/readyz";

/** The first release with the fix for GHSA-w278-32qg-48q5 (expired relationships in checks). */
const SPICEDB_MINIMUM = "v1.57.1";
/** The one place that names the SpiceDB release: scripts/spicedb.sh builds it for the tests. */
const SPICEDB_VERSION = readRepoFile("deploy/spicedb.version").trim();

/** Values for the variables docker-compose.yml requires from the shell. */
const COMPOSE_SHELL = {
  SPICEDB_PRESHARED_KEY: "psk-for-tests",
  SPICEDB_DB_PASSWORD: "spicedb-password",
  TENANTGATE_DB_PASSWORD: "tenantgate-password",
};

function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing: ${what}`);
  return value;
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, "").split(".").map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const configDefaults = loadConfig({});
const pkg = readPackageJson();

// ---- deploy/Dockerfile

const stages = parseDockerfile(readRepoFile("deploy/Dockerfile"));
const buildStage = must(stages[0], "build stage");
const runtimeStage = must(stages.at(-1), "runtime stage");
const imageEnv = dockerEnv(runtimeStage);
const imageUser = must(instructions(runtimeStage, "USER").at(-1), "USER");
const imageUid = Number(imageUser.split(":")[0]);
const imageWorkdir = must(instructions(runtimeStage, "WORKDIR").at(-1), "WORKDIR");

function runIndex(stage: DockerStage, pattern: RegExp): number {
  return stage.instructions.findIndex((i) => i.keyword === "RUN" && pattern.test(i.args));
}

// ---- deploy/docker-compose.yml

const compose = readCompose();
const services = Object.entries(compose.services);
const service = (name: string) => must(compose.services[name], `compose service ${name}`);
/** tenantgate's replicas: the services built from this repository. */
const replicaNames = services.filter(([, s]) => s.build).map(([name]) => name);
const spicedbName = must(
  services.find(([, s]) => s.image?.startsWith("authzed/spicedb:") && s.command?.[0] === "serve"),
  "SpiceDB server service",
)[0];
const spicedb = service(spicedbName);

function interpolatedEnvironment(s: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(composeEnvironment(s)).map(([k, v]) => [k, interpolate(v, COMPOSE_SHELL)]),
  );
}

// ---- deploy/k8s

const objects = readK8sObjects();
const kustomization = findObject(objects, "Kustomization");
const deployment = findObject(objects, "Deployment", "tenantgate");
const podSpec = deployment.spec.template.spec;
const podLabels: Record<string, string> = deployment.spec.template.metadata.labels;
const containers: K8sObject[] = podSpec.containers;
const container = must(
  containers.find((c) => c.name === "tenantgate"),
  "tenantgate container",
);
const hpa = findObject(objects, "HorizontalPodAutoscaler", "tenantgate");
const spicedbCluster = findObject(objects, "SpiceDBCluster");
const secretTemplates = objects.filter((o) => o.kind === "Secret");

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

const containerEnv: EnvVar[] = container.env ?? [];

/** Variables the Deployment sets, by source: ConfigMaps loaded whole, then `env` entries. */
function deploymentVariables(): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = must(source.configMapRef?.name, "envFrom takes ConfigMaps only") as string;
    Object.assign(variables, findObject(objects, "ConfigMap", name).data);
  }
  for (const variable of containerEnv) {
    const ref = variable.valueFrom?.secretKeyRef;
    variables[variable.name] = ref
      ? must(findObject(secretTemplates, "Secret", ref.name).stringData?.[ref.key], ref.key)
      : must(variable.value, `${variable.name}'s value`);
  }
  return variables;
}

const k8sVariables = deploymentVariables();

function envValue(name: string): string {
  return must(k8sVariables[name], `${name} in the Deployment`);
}

function mountFor(path: string): { name: string; mountPath: string; readOnly?: boolean } {
  const mounts: { name: string; mountPath: string }[] = container.volumeMounts ?? [];
  return must(
    mounts.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`)),
    `a volume mounted at ${path}`,
  );
}

function volume(name: string): K8sObject {
  const volumes: K8sObject[] = podSpec.volumes;
  return must(
    volumes.find((v) => v.name === name),
    `volume ${name}`,
  );
}

function containerPort(nameOrNumber: string | number): number {
  const ports: { name?: string; containerPort: number }[] = container.ports ?? [];
  const port = ports.find((p) => p.name === nameOrNumber || p.containerPort === nameOrNumber);
  return must(port, `container port ${nameOrNumber}`).containerPort;
}

// ---- where tenantgate's environment comes from

const environments: {
  where: string;
  set: Record<string, string>;
  effective: Record<string, string>;
}[] = [
  { where: "deploy/Dockerfile ENV", set: imageEnv, effective: imageEnv },
  ...replicaNames.map((name) => ({
    where: `docker-compose.yml ${name}`,
    set: composeEnvironment(service(name)),
    effective: { ...imageEnv, ...interpolatedEnvironment(service(name)) },
  })),
  {
    where: "k8s Deployment tenantgate",
    set: k8sVariables,
    effective: { ...imageEnv, ...k8sVariables },
  },
];

describe("tenantgate's environment in every deployment", () => {
  test.each(environments)("$where: every variable is one src/config.ts reads", ({ set }) => {
    const unknown = Object.keys(set).filter(
      (name) => !(name in configSchema.shape) && !(name in NOT_TENANTGATE),
    );
    expect(unknown).toEqual([]);
  });

  test.each(environments)("$where: the values pass loadConfig", ({ effective }) => {
    expect(() => loadConfig(effective)).not.toThrow();
    const config = loadConfig(effective);
    // Reachable from outside the container, on the one port every file uses.
    expect(config.HOST).toBe("0.0.0.0");
    expect(config.PORT).toBe(configDefaults.PORT);
  });

  test.each(environments.slice(1))(
    "$where: several replicas share Postgres and a remote SpiceDB (the embedded engine is one process only)",
    ({ effective }) => {
      const config = loadConfig(effective);
      expect(config.DATABASE_URL).toBeDefined();
      expect(config.SPICEDB_ENDPOINT).toBeDefined();
    },
  );
});

describe("health paths", () => {
  test("the app serves /healthz and /readyz, and /healthz depends on nothing", async () => {
    const paths = healthRoutes.routes.filter((r) => r.method === "GET").map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining([LIVENESS, READINESS]));
    const response = await healthRoutes.request(LIVENESS);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  const probe = (name: string) => container[name].httpGet as { path: string; port: string };
  test.each([
    // Liveness never asks for readiness: a SpiceDB outage must not restart every replica.
    ["k8s livenessProbe", probe("livenessProbe").path, LIVENESS],
    ["k8s startupProbe", probe("startupProbe").path, LIVENESS],
    ["k8s readinessProbe", probe("readinessProbe").path, READINESS],
  ])("%s asks %s", (_where, path, expected) => {
    expect(path).toBe(expected);
  });

  test("the image's HEALTHCHECK asks /healthz with node (the slim image has no curl)", () => {
    const command = execForm(must(instructions(runtimeStage, "HEALTHCHECK")[0], "HEALTHCHECK"));
    expect(command[0]).toBe("node");
    expect(command.join(" ")).toContain(LIVENESS);
    expect(command.join(" ")).not.toContain(READINESS);
  });

  test.each(replicaNames)(
    "compose %s is healthy once ready: /readyz on PORT (nginx waits for it)",
    (name) => {
      const command = healthcheckCommand(service(name));
      expect(command).toContain(`http://127.0.0.1:${imageEnv.PORT}${READINESS}`);
    },
  );

  test("all k8s probes use the container port named in them", () => {
    for (const name of ["livenessProbe", "readinessProbe", "startupProbe"]) {
      expect(containerPort(probe(name).port)).toBe(configDefaults.PORT);
    }
  });
});

describe("deploy/Dockerfile", () => {
  test("builds on node:20-bookworm-slim and runs on the same base (same glibc as the addons)", () => {
    expect(stages.map((s) => s.base)).toEqual(["node:20-bookworm-slim", "node:20-bookworm-slim"]);
    const packages = instructions(buildStage, "RUN").join(" ").split(/\s+/);
    // better-sqlite3 compiles with node-gyp when no prebuilt binary fits.
    expect(packages).toEqual(expect.arrayContaining(["python3", "make", "g++"]));
    expect(instructions(runtimeStage, "RUN").join(" ")).not.toMatch(/g\+\+|build-essential/);
  });

  test("`npm ci` has what `prepare` compiles, and devDependencies are pruned after it without re-running it", () => {
    const ci = runIndex(buildStage, /\bnpm ci\b/);
    const prune = runIndex(buildStage, /\bnpm prune\b.*--omit=dev/);
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(prune).toBeGreaterThan(ci);
    expect(buildStage.instructions[prune]?.args).toContain("--ignore-scripts");

    // prepare = `npm run build` = tsc -p tsconfig.build.json: that file, the one it extends and
    // what it includes must be in place before `npm ci`.
    expect(pkg.scripts.prepare).toBe("npm run build");
    const tsconfigFile = must(/-p\s+(\S+)/.exec(pkg.scripts.build ?? "")?.[1], "build's tsconfig");
    const tsconfig = JSON.parse(readRepoFile(tsconfigFile)) as {
      extends?: string;
      include: string[];
    };
    const copiedBefore = dockerCopies({
      ...buildStage,
      instructions: buildStage.instructions.slice(0, ci),
    }).flatMap((c) => c.sources.map((s) => posix.normalize(s)));
    const needed = [
      "package.json",
      "package-lock.json",
      tsconfigFile,
      ...(tsconfig.extends ? [posix.normalize(tsconfig.extends)] : []),
      ...tsconfig.include,
    ];
    expect(copiedBefore).toEqual(expect.arrayContaining(needed));
  });

  test("every package src/ and bin/ load at run time survives the prune, and no compiler is among them", () => {
    const imports = runtimeImports();
    expect(imports.has("tsx")).toBe(false);
    expect(pkg.dependencies).not.toHaveProperty("tsx");
    expect(pkg.dependencies).not.toHaveProperty("typescript");
    const pruned = [...imports]
      .filter(([name]) => !(name in pkg.dependencies))
      .map(([name, file]) => `${name} (imported by ${file})`);
    expect(pruned).toEqual([]);
  });

  test("the runtime stage gets node_modules and dist built, and bin, package.json and the schema from the context", () => {
    const copies = dockerCopies(runtimeStage);
    const fromBuild = copies.filter((c) => c.from === buildStage.name).flatMap((c) => c.sources);
    expect(fromBuild.map((s) => posix.basename(s))).toEqual(
      expect.arrayContaining(["node_modules", "dist"]),
    );
    const fromContext = copies.filter((c) => !c.from).flatMap((c) => c.sources);
    // package.json says "type": "module", which bin/tenantgate.js (top-level await) needs.
    expect(fromContext).toEqual(expect.arrayContaining(["bin", "package.json", "schema.zed"]));
    // Compiled JavaScript only: no sources, no tsconfig.
    expect(fromContext).not.toContain("src");
    for (const [name, variable] of [
      ["schema.zed", "SCHEMA_PATH"],
      ["tenancy.yaml", "TENANCY_PATH"],
    ] as const) {
      const copy = must(
        copies.find((c) => c.sources.includes(name)),
        `COPY ${name}`,
      );
      // A destination ending in / is a directory: the file keeps its name there.
      const destination = copy.destination.endsWith("/")
        ? posix.join(copy.destination, name)
        : copy.destination;
      expect(posix.resolve(imageWorkdir, destination)).toBe(imageEnv[variable]);
    }
  });

  test("runs as a fixed non-root uid, owner of DATA_DIR, the uid Kubernetes runs it as", () => {
    expect(imageUid).toBeGreaterThan(0);
    expect(Number.isInteger(imageUid)).toBe(true);
    expect(instructions(runtimeStage, "RUN").join(" ")).toContain(
      `chown ${imageUid}:${imageUid} ${imageEnv.DATA_DIR}`,
    );
    expect(podSpec.securityContext.runAsUser).toBe(imageUid);
  });

  test("CMD is what `npm start` runs, from the image's WORKDIR", () => {
    const command = execForm(must(instructions(runtimeStage, "CMD").at(-1), "CMD"));
    const start = must(pkg.scripts.start, "start script")
      .split(/\s+/)
      .map((t) => t.replace(/^\.\//, ""));
    expect(command).toEqual(start);
    expect(command).toEqual(["node", "bin/tenantgate.js", "serve"]);
    expect(imageWorkdir).toBe("/app");
    expect(existsSync(join(repoRoot, "bin/tenantgate.js"))).toBe(true);
  });

  test("EXPOSE, PORT and the config default are one port", () => {
    expect(instructions(runtimeStage, "EXPOSE")).toEqual([String(configDefaults.PORT)]);
    expect(imageEnv.PORT).toBe(String(configDefaults.PORT));
    expect(imageEnv.HOST).toBe("0.0.0.0");
  });

  test(".dockerignore keeps local artefacts out and lets in everything the Dockerfile copies", () => {
    const patterns = dockerignorePatterns();
    expect(patterns).toEqual(expect.arrayContaining(["node_modules", ".git", "data", "dist"]));
    const sources = stages
      .flatMap((s) => dockerCopies(s))
      .filter((c) => !c.from)
      .flatMap((c) => c.sources);
    for (const source of sources) {
      expect(existsSync(join(repoRoot, source)), `${source} exists`).toBe(true);
      const excludedBy = patterns.filter((p) => dockerignoreExcludes(p, source));
      expect(excludedBy, `${source} is excluded`).toEqual([]);
    }
    // The patterns do what the comments say.
    expect(dockerignoreExcludes("**/*.log", "test/output/run.log")).toBe(true);
    expect(dockerignoreExcludes("node_modules", "node_modules/hono/package.json")).toBe(true);
  });
});

describe("deploy/docker-compose.yml", () => {
  test("two tenantgate replicas, built from deploy/Dockerfile with the repository root (and its .dockerignore) as context", () => {
    expect(replicaNames).toHaveLength(2);
    for (const name of replicaNames) {
      const build = must(service(name).build, `${name}.build`);
      const context = resolve(deployDir, build.context ?? ".");
      expect(context).toBe(resolve(repoRoot));
      expect(resolve(context, build.dockerfile ?? "Dockerfile")).toBe(
        join(deployDir, "Dockerfile"),
      );
      expect(existsSync(join(context, ".dockerignore"))).toBe(true);
    }
  });

  test("each replica has a data volume of its own; nothing else it can write but /tmp", () => {
    const sources = replicaNames.map((name) => {
      const s = service(name);
      expect(s.read_only).toBe(true);
      expect(s.tmpfs).toContain("/tmp");
      const dataVolume = must(
        s.volumes?.find((v) => v.split(":")[1] === imageEnv.DATA_DIR),
        `${name}'s ${imageEnv.DATA_DIR} volume`,
      );
      return dataVolume.split(":")[0];
    });
    expect(new Set(sources).size).toBe(replicaNames.length);
  });

  test("SpiceDB's migration runs `migrate head` once, on the same image and datastore, before SpiceDB starts", () => {
    const [migrateName, migrate] = must(
      services.find(([, s]) => s.command?.join(" ") === "migrate head"),
      "a `migrate head` service",
    );
    expect(migrate.image).toBe(spicedb.image);
    expect(migrate.restart).toBe("no");
    expect(dependsOn(spicedb)[migrateName]).toBe("service_completed_successfully");
    const datastore = (s: ComposeService) => {
      const env = composeEnvironment(s);
      return [env.SPICEDB_DATASTORE_ENGINE, env.SPICEDB_DATASTORE_CONN_URI];
    };
    expect(datastore(migrate)).toEqual(datastore(spicedb));
    expect(datastore(spicedb)[0]).toBe("postgres");
  });

  test(`SpiceDB is pinned to deploy/spicedb.version (what the tests build), no older than ${SPICEDB_MINIMUM}`, () => {
    const tag = must(spicedb.image?.split(":")[1], "SpiceDB image tag");
    expect(SPICEDB_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(tag).toBe(SPICEDB_VERSION);
    expect(spicedbCluster.spec.version).toBe(SPICEDB_VERSION);
    expect(compareVersions(SPICEDB_VERSION, SPICEDB_MINIMUM)).toBeGreaterThanOrEqual(0);
  });

  test("SpiceDB and tenantgate take the preshared key from one variable", () => {
    const spicedbKey = interpolatedVariables(
      must(composeEnvironment(spicedb).SPICEDB_GRPC_PRESHARED_KEY, "SPICEDB_GRPC_PRESHARED_KEY"),
    );
    expect(spicedbKey).toHaveLength(1);
    for (const name of replicaNames) {
      const key = must(composeEnvironment(service(name)).SPICEDB_PRESHARED_KEY, "key");
      expect(interpolatedVariables(key)).toEqual(spicedbKey);
    }
  });

  /** The compose service a postgres:// URL points at, checked against its POSTGRES_* settings. */
  function expectPostgresOf(url: string): string {
    const parsed = new URL(url);
    const db = service(parsed.hostname);
    expect(db.image).toMatch(/^postgres:/);
    const env = interpolatedEnvironment(db);
    expect(decodeURIComponent(parsed.username)).toBe(env.POSTGRES_USER);
    expect(decodeURIComponent(parsed.password)).toBe(env.POSTGRES_PASSWORD);
    expect(parsed.pathname).toBe(`/${env.POSTGRES_DB}`);
    expect(parsed.port || "5432").toBe("5432");
    return parsed.hostname;
  }

  test.each(replicaNames)(
    "%s reaches this file's SpiceDB and Postgres, after they are healthy",
    (name) => {
      const replica = service(name);
      const config = loadConfig({ ...imageEnv, ...interpolatedEnvironment(replica) });
      const [host, port] = must(config.SPICEDB_ENDPOINT, "SPICEDB_ENDPOINT").split(":");
      expect(host).toBe(spicedbName);
      expect(port).toBe("50051");
      const database = expectPostgresOf(must(config.DATABASE_URL, "DATABASE_URL"));
      expect(dependsOn(replica)).toMatchObject({
        [spicedbName]: "service_healthy",
        [database]: "service_healthy",
      });
    },
  );

  test("SpiceDB's Postgres keeps commit timestamps, which SpiceDB's Watch API needs", () => {
    const uri = must(interpolatedEnvironment(spicedb).SPICEDB_DATASTORE_CONN_URI, "datastore URI");
    const host = new URL(uri).hostname;
    expect(service(host).command).toEqual(["postgres", "-c", "track_commit_timestamp=on"]);
  });

  test("SpiceDB's datastore is this file's Postgres, a different one from tenantgate's", () => {
    const uri = must(interpolatedEnvironment(spicedb).SPICEDB_DATASTORE_CONN_URI, "datastore URI");
    const spicedbDb = expectPostgresOf(uri);
    const tenantgateDb = new URL(
      must(interpolatedEnvironment(service(replicaNames[0] ?? "")).DATABASE_URL, "DATABASE_URL"),
    ).hostname;
    expect(spicedbDb).not.toBe(tenantgateDb);
  });

  test("every long-running service has a healthcheck; the one-shot migration says it has none", () => {
    for (const [name, s] of services) {
      if (s.restart === "no") expect(s.healthcheck?.disable, name).toBe(true);
      else expect(healthcheckCommand(s), name).not.toBe("");
    }
  });

  test("only the load balancer publishes a port; SpiceDB's plaintext gRPC stays on internal networks", () => {
    const published = services.filter(([, s]) => s.ports?.length).map(([name]) => name);
    expect(published).toEqual(["lb"]);
    for (const name of replicaNames) {
      expect(composeEnvironment(service(name)).SPICEDB_INSECURE).toBe("true");
    }
    for (const network of spicedb.networks ?? []) {
      expect(compose.networks?.[network]?.internal, network).toBe(true);
    }
  });
});

describe("deploy/nginx.conf", () => {
  const nginx = parseNginx(readFileSync(join(deployDir, "nginx.conf"), "utf8"));
  const lb = service("lb");

  test("proxies to an upstream of exactly the compose replicas, on PORT", () => {
    expect(nginx.proxyPass).toHaveLength(1);
    const upstream = must(/^http:\/\/(\S+)$/.exec(nginx.proxyPass[0] ?? "")?.[1], "upstream");
    const servers = must(nginx.upstreams[upstream], `upstream ${upstream}`);
    expect(servers.map((s) => s.split(":")[0]).sort()).toEqual([...replicaNames].sort());
    for (const server of servers) expect(server.split(":")[1]).toBe(imageEnv.PORT);
  });

  test("compose mounts it as nginx's main config, publishes its port, and starts it after both replicas are healthy", () => {
    expect(lb.volumes).toContain("./nginx.conf:/etc/nginx/nginx.conf:ro");
    const published = must(lb.ports?.[0], "lb port");
    expect(nginx.listen).toContain(must(published.split(":").at(-1), "container port"));
    for (const name of replicaNames) expect(dependsOn(lb)[name]).toBe("service_healthy");
  });

  test("passes the client address and Host the way tenantgate reads them", () => {
    // TRUST_PROXY=true (one proxy) takes X-Forwarded-For's last address, the one nginx writes;
    // whatever a client sends before it is never read.
    for (const name of replicaNames) {
      expect(composeEnvironment(service(name)).TRUST_PROXY).toBe("true");
    }
    expect(nginx.proxyHeaders["x-forwarded-for"]).toBe("$remote_addr");
    // The CSRF check compares Origin's host:port with Host; $host would drop the port.
    expect(nginx.proxyHeaders.host).toBe("$http_host");
  });
});

describe("deploy/k8s", () => {
  const manifests = k8sFiles().filter((f) => f !== "kustomization.yaml");

  test("kustomization.yaml lists every manifest but the secret templates, which it must never apply", () => {
    const templates = manifests.filter((f) => f.endsWith(".example.yaml"));
    expect(templates.length).toBeGreaterThan(0);
    expect([...kustomization.resources].sort()).toEqual(
      manifests.filter((f) => !templates.includes(f)).sort(),
    );
    for (const file of templates) {
      expect(objects.filter((o) => o.file === file).map((o) => o.kind)).toEqual(["Secret"]);
    }
    expect(secretTemplates.every((s) => s.file.endsWith(".example.yaml"))).toBe(true);
  });

  test("has the pieces a production deployment needs, at the API versions in use", () => {
    const kinds = Object.fromEntries(objects.map((o) => [o.kind, o.apiVersion]));
    expect(kinds).toMatchObject({
      Deployment: "apps/v1",
      Service: "v1",
      PodDisruptionBudget: "policy/v1",
      HorizontalPodAutoscaler: "autoscaling/v2",
      ConfigMap: "v1",
      Secret: "v1",
      SpiceDBCluster: "authzed.com/v1alpha1",
    });
  });

  test("runs two or more replicas, and the HPA never goes below two", () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
  });

  test("listens on PORT, the image's EXPOSE, and Prometheus is told that port", () => {
    expect(containerPort("http")).toBe(Number(envValue("PORT")));
    expect(containerPort("http")).toBe(Number(instructions(runtimeStage, "EXPOSE")[0]));
    const annotations = deployment.spec.template.metadata.annotations;
    expect(Number(annotations["prometheus.io/port"])).toBe(containerPort("http"));
    expect(annotations["prometheus.io/path"]).toBe("/metrics");
  });

  test("a slow SpiceDB fails readiness with a 503, before the probe itself times out", () => {
    const config = loadConfig({ ...imageEnv, ...k8sVariables });
    expect(container.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(
      config.SPICEDB_TIMEOUT_MS,
    );
  });

  test("non-root, read-only root filesystem, no privileges; /data and /tmp are emptyDirs", () => {
    expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: imageUid });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    for (const path of [envValue("DATA_DIR"), "/tmp"]) {
      const mount = mountFor(path);
      expect(mount.mountPath).toBe(path);
      expect(volume(mount.name).emptyDir, path).toBeDefined();
    }
    expect(container.resources.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
  });

  test.each([
    ["schema.zed", "SCHEMA_PATH"],
    ["tenancy.yaml", "TENANCY_PATH"],
  ])(
    "the schema ConfigMap is generated from the repository's %s and mounted at %s",
    (name, variable) => {
      const generator = must(
        (kustomization.configMapGenerator as { name: string; files: string[] }[]).find((g) =>
          g.files.some((f) => f.startsWith(`${name}=`)),
        ),
        `a configMapGenerator for ${name}`,
      );
      const file = must(
        generator.files.find((f) => f.startsWith(`${name}=`)),
        "files entry",
      );
      const source = resolve(k8sDir, file.slice(name.length + 1));
      expect(source).toBe(join(repoRoot, name));
      expect(existsSync(source)).toBe(true);

      const path = envValue(variable);
      expect(path).toBe(imageEnv[variable]);
      const mount = mountFor(path);
      const configMap = volume(mount.name).configMap;
      expect(configMap.name).toBe(generator.name);
      const item = must(
        (configMap.items as { key: string; path: string }[] | undefined)?.find(
          (i) => i.key === name,
        ),
        `item ${name}`,
      );
      expect(posix.join(mount.mountPath, item.path)).toBe(path);
      expect(mount.readOnly).toBe(true);
    },
  );

  test("the secrets the Deployment reads are in the templates, as placeholders only", () => {
    for (const variable of containerEnv) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (!ref) continue;
      expect(findObject(secretTemplates, "Secret", ref.name).stringData).toHaveProperty(ref.key);
    }
    for (const secret of secretTemplates) {
      for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) {
        expect(value, `${secret.metadata.name}.${key}`).toContain("CHANGE-ME");
      }
    }
  });

  test("SpiceDB comes from a SpiceDBCluster on Postgres, whose Service and key tenantgate uses", () => {
    expect(spicedbCluster.spec.config.datastoreEngine).toBe("postgres");
    const spicedbSecret = findObject(secretTemplates, "Secret", spicedbCluster.spec.secretName);
    expect(Object.keys(spicedbSecret.stringData).sort()).toEqual([
      "datastore_uri",
      "preshared_key",
    ]);
    expect(spicedbSecret.stringData.datastore_uri).toMatch(/^postgres(ql)?:\/\//);

    // The operator's Service is named after the cluster and serves gRPC on 50051.
    expect(envValue("SPICEDB_ENDPOINT")).toBe(`${spicedbCluster.metadata.name}:50051`);
    expect(envValue("SPICEDB_PRESHARED_KEY")).toBe(spicedbSecret.stringData.preshared_key);
    expect(compareVersions(spicedbCluster.spec.version, SPICEDB_MINIMUM)).toBeGreaterThanOrEqual(0);
  });

  test("only tenantgate's pods may reach SpiceDB's plaintext gRPC port", () => {
    expect(envValue("SPICEDB_INSECURE")).toBe("true");
    const policy = objects.find(
      (o) =>
        o.kind === "NetworkPolicy" &&
        o.spec.podSelector.matchLabels["authzed.com/cluster"] === spicedbCluster.metadata.name,
    );
    const rules = must(policy, "a NetworkPolicy for SpiceDB's pods").spec.ingress as {
      from?: { podSelector: { matchLabels: Record<string, string> } }[];
      ports: { port: number }[];
    }[];
    const grpc = rules.filter((r) => r.ports.some((p) => p.port === 50051));
    expect(grpc).toHaveLength(1);
    expect(grpc[0]?.from?.every((f) => labelsMatch(f.podSelector.matchLabels, podLabels))).toBe(
      true,
    );
  });

  test("the Service, PodDisruptionBudget and HPA point at the Deployment's pods", () => {
    const svc = findObject(objects, "Service", "tenantgate");
    expect(labelsMatch(svc.spec.selector, podLabels)).toBe(true);
    expect(labelsMatch(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    for (const port of svc.spec.ports)
      expect(containerPort(port.targetPort)).toBe(configDefaults.PORT);

    const pdb = findObject(objects, "PodDisruptionBudget");
    expect(labelsMatch(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    // A budget as large as the smallest replica count would block every node drain.
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);

    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: deployment.metadata.name,
    });
    expect(hpa.spec.metrics).toContainEqual({
      type: "Resource",
      resource: { name: "cpu", target: expect.objectContaining({ type: "Utilization" }) },
    });
  });

  test("the preStop pause and SHUTDOWN_GRACE_MS fit in terminationGracePeriodSeconds", () => {
    const command: string[] = container.lifecycle.preStop.exec.command;
    expect(command[0]).toBe("sleep");
    const config = loadConfig({ ...imageEnv, ...k8sVariables });
    const needed = Number(command[1]) + config.SHUTDOWN_GRACE_MS / 1000;
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(needed);
  });

  test("the image is the one kustomize pins, tagged with the package version", () => {
    const image = must(
      (kustomization.images as { name: string; newTag: string }[]).find(
        (i) => i.name === container.image,
      ),
      `an images entry for ${container.image}`,
    );
    expect(image.newTag).toBe(pkg.version);
  });

  const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;
  test.skipIf(!kubectl)("kubectl kustomize renders it, with the schema file's exact text", () => {
    const rendered = spawnSync(
      "kubectl",
      ["kustomize", "--load-restrictor=LoadRestrictionsNone", k8sDir],
      { encoding: "utf8" },
    );
    expect(rendered.stderr).toBe("");
    expect(rendered.status).toBe(0);
    const output = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as K8sObject);
    const schemaMaps = output.filter(
      (o) => o.kind === "ConfigMap" && o.data?.["schema.zed"] !== undefined,
    );
    expect(schemaMaps).toHaveLength(1);
    expect(schemaMaps[0]?.data["schema.zed"]).toBe(readRepoFile("schema.zed"));
    const renderedDeployment = findObject(
      output.map((o) => ({ ...o, file: "rendered" })),
      "Deployment",
      "tenantgate",
    );
    const volumes = renderedDeployment.spec.template.spec.volumes as {
      configMap?: { name: string };
    }[];
    expect(volumes.map((v) => v.configMap?.name)).toContain(schemaMaps[0]?.metadata.name);
    expect(
      output.every((o) => o.kind === "Namespace" || o.metadata.namespace === "tenantgate"),
    ).toBe(true);
  });
});
