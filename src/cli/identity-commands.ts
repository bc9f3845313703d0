import { parseArgs } from "node:util";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../auth/password.js";
import {
  createServiceKey,
  listServiceKeys,
  revokeServiceKey,
  SERVICE_KEY_SCOPES,
  type ServiceKeyScope,
} from "../auth/service-keys.js";
import { createUser } from "../auth/sign-in.js";
import type { Config } from "../config.js";
import { CliUsageError } from "./usage-error.js";
import { withStore } from "./with-store.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** `tenantgate user create --email E --password-stdin [--name N] [--operator]` */
export async function runUserCommand(config: Config, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "create")
    throw new CliUsageError(
      "usage: tenantgate user create --email EMAIL --password-stdin [--name NAME] [--operator]",
    );
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      "password-stdin": { type: "boolean" },
      operator: { type: "boolean" },
    },
  });
  if (!values.email || !values["password-stdin"]) {
    throw new CliUsageError(
      "user create needs --email and --password-stdin (the password is read from standard input)",
    );
  }
  const password = await readStdin();
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new CliUsageError(
      `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    );
  }
  const operator = values.operator === true;
  const user = await withStore(config, (store) =>
    createUser(
      { store, clock: Date.now },
      { email: values.email as string, password, name: values.name ?? null, operator },
    ),
  );
  process.stdout.write(`${JSON.stringify({ id: user.id, email: user.email, operator })}\n`);
}

/** `tenantgate service-key create|list|revoke` */
export async function runServiceKeyCommand(config: Config, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { name: { type: "string" }, scope: { type: "string", default: "check" } },
  });
  if (sub === "create") {
    if (!values.name) throw new CliUsageError("service-key create needs --name NAME");
    if (!SERVICE_KEY_SCOPES.includes(values.scope as ServiceKeyScope)) {
      throw new CliUsageError(`--scope must be one of ${SERVICE_KEY_SCOPES.join(", ")}`);
    }
    const { key, token } = await withStore(config, (store) =>
      createServiceKey(
        store,
        { name: values.name as string, scope: values.scope as ServiceKeyScope },
        Date.now(),
      ),
    );
    process.stderr.write("the token is shown once; store it as a secret\n");
    process.stdout.write(
      `${JSON.stringify({ id: key.id, name: key.name, scope: key.scope, token })}\n`,
    );
    return;
  }
  if (sub === "list") {
    const keys = await withStore(config, listServiceKeys);
    for (const key of keys) {
      process.stdout.write(
        `${JSON.stringify({ id: key.id, name: key.name, scope: key.scope, createdAt: new Date(key.createdAt).toISOString(), revoked: key.revokedAt !== null })}\n`,
      );
    }
    return;
  }
  if (sub === "revoke") {
    const target = positionals[0];
    if (!target) throw new CliUsageError("service-key revoke needs the key's id or name");
    const revoked = await withStore(config, (store) =>
      revokeServiceKey(store, { idOrName: target }, Date.now()),
    );
    if (revoked === 0) throw new CliUsageError(`no live service key with id or name ${target}`);
    process.stderr.write(`revoked ${revoked} key(s)\n`);
    return;
  }
  throw new CliUsageError(
    "usage: tenantgate service-key create --name NAME [--scope check|write] | list | revoke ID_OR_NAME",
  );
}
