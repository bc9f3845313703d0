/**
 * better-auth (organization plugin, SQLite) as a peer of the mixed benchmark, from the scripts in
 * ../shared/peers/better-auth: the folder is copied to a cache directory and its packages
 * installed there once (as its README says), then its own server.mjs runs on a fresh database.
 * Members sign up, are invited by the owner and accept, all through its HTTP API.
 */
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, run, type Server, startServer, waitForHttp } from "./processes.js";

export const PEER_SOURCE = process.env.BETTER_AUTH_PEER ?? "/work/shared/peers/better-auth";

/** The peer's folder with its packages installed, or the reason it cannot be had. */
export function betterAuthFolder(cacheDir: string): { dir: string } | { skip: string } {
  if (!existsSync(join(PEER_SOURCE, "server.mjs")))
    return { skip: `no better-auth peer scripts at ${PEER_SOURCE}` };
  const dir = join(cacheDir, "better-auth");
  if (!existsSync(join(dir, "node_modules", "better-auth"))) {
    mkdirSync(dir, { recursive: true });
    cpSync(PEER_SOURCE, dir, { recursive: true });
    run("chmod", ["-R", "u+w", dir]);
    try {
      // The README's own command; better-sqlite3 compiles from source (about two minutes).
      run(
        "npm",
        ["install", "better-auth", "better-sqlite3@12", "hono", "@hono/node-server", "autocannon"],
        { cwd: dir },
      );
    } catch (error) {
      return { skip: `npm install in ${dir} failed: ${String(error).slice(-600)}` };
    }
  }
  return { dir };
}

export interface BetterAuth {
  server: Server;
  url: string;
  organizationId: string;
  owner: { cookie: string };
  members: { cookie: string; memberId: string }[];
  stop(): Promise<void>;
}

/** A tiny cookie jar per person, as a browser would keep. */
class Person {
  private readonly jar = new Map<string, string>();
  constructor(private readonly url: string) {}

  get cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async call<T>(path: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = {
      origin: this.url,
      "content-type": "application/json",
    };
    if (this.jar.size) headers.cookie = this.cookie;
    const response = await fetch(`${this.url}${path}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || attributes.some((a) => /max-age=0\b/i.test(a.trim())))
        this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await response.text();
    if (!response.ok)
      throw new Error(`better-auth ${path}: ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
}

export async function startBetterAuth(
  dir: string,
  workDir: string,
  memberCount: number,
): Promise<BetterAuth> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = startServer(process.execPath, ["server.mjs"], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), DB: join(workDir, "better-auth.db") },
    log: join(workDir, "better-auth.log"),
  });
  try {
    await waitForHttp(`${url}/hello`, server);
    const password = "correct-horse-battery-staple-1";
    const signUp = async (email: string) => {
      const person = new Person(url);
      await person.call("/api/auth/sign-up/email", { email, password, name: email });
      return person;
    };
    const owner = await signUp("owner@bench.example");
    const organization = await owner.call<{ id: string }>("/api/auth/organization/create", {
      name: "Bench Org",
      slug: `bench-${Date.now()}`,
    });
    await owner.call("/api/auth/organization/set-active", { organizationId: organization.id });
    const members: BetterAuth["members"] = [];
    for (let i = 0; i < memberCount; i++) {
      const email = `member${i}@bench.example`;
      const person = await signUp(email);
      const invitation = await owner.call<{ id: string }>("/api/auth/organization/invite-member", {
        email,
        role: "member",
        organizationId: organization.id,
      });
      const accepted = await person.call<{ member: { id: string } }>(
        "/api/auth/organization/accept-invitation",
        { invitationId: invitation.id },
      );
      await person.call("/api/auth/organization/set-active", { organizationId: organization.id });
      members.push({ cookie: person.cookie, memberId: accepted.member.id });
    }
    return {
      server,
      url,
      organizationId: organization.id,
      owner: { cookie: owner.cookie },
      members,
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
