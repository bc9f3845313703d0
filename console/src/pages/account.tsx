import { useState } from "preact/hooks";
import { api } from "../api.js";
import { useApp } from "../parts/app-state.js";
import { Done, Empty, Loading, ProblemNote, when } from "../parts/feedback.js";
import { useAction, useLoad } from "../parts/load.js";

interface SessionRow {
  id: string;
  current: boolean;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** A user agent string, shortened to what a person recognises. */
function browserName(userAgent: string | null): string {
  if (!userAgent) return "unknown";
  const known = /(Firefox|Edg|Chrome|Chromium|Safari|curl|node)[/ ]([\d.]+)?/.exec(userAgent);
  return known ? (known[1] === "Edg" ? "Edge" : (known[1] as string)) : userAgent.slice(0, 40);
}

export function AccountPage() {
  const { session } = useApp();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const password = useAction();
  const sessions = useLoad(() => api<{ sessions: SessionRow[] }>("GET", "/v1/sessions"), []);
  const end = useAction();
  return (
    <section>
      <h1>Your account</h1>
      <p>
        Signed in as <strong>{session.user.email}</strong>
        {session.user.name ? ` (${session.user.name})` : ""}. This session lasts until{" "}
        {when(session.expiresAt)} unless used again.
      </p>
      <h2>Sessions</h2>
      {sessions.loading && !sessions.data ? <Loading what="your sessions" /> : null}
      <ProblemNote problem={sessions.error} />
      <ProblemNote problem={end.problem} context="Could not sign out." />
      {sessions.data && sessions.data.sessions.length === 0 ? (
        <Empty>No live session.</Empty>
      ) : null}
      {sessions.data && sessions.data.sessions.length > 0 ? (
        <table>
          <caption class="sr-only">Your sessions</caption>
          <thead>
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">From</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.data.sessions.map((s) => (
              <tr key={s.id}>
                <td>
                  {browserName(s.userAgent)}
                  {s.current ? <span class="badge">this one</span> : null}
                </td>
                <td>{s.ip ?? "unknown"}</td>
                <td>{when(s.createdAt)}</td>
                <td>{when(s.lastUsedAt)}</td>
                <td>
                  <button
                    type="button"
                    disabled={end.busy || Boolean(session.viewAs)}
                    onClick={() =>
                      void end.run(async () => {
                        await api("DELETE", `/v1/sessions/${s.id}`);
                        if (s.current) location.href = "/";
                        else sessions.reload();
                      })
                    }
                  >
                    Sign out<span class="sr-only"> the session from {when(s.createdAt)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <button
        type="button"
        class="danger"
        disabled={end.busy || Boolean(session.viewAs)}
        onClick={() => {
          if (!confirm("Sign out of every session, this one included?")) return;
          void end.run(async () => {
            await api("DELETE", "/v1/sessions");
            location.href = "/";
          });
        }}
      >
        Sign out everywhere
      </button>
      <h2>Change password</h2>
      <form
        class="stack narrow"
        onSubmit={(e) => {
          e.preventDefault();
          void password.run(async () => {
            await api("PUT", "/v1/auth/password", { currentPassword: current, newPassword: next });
            setCurrent("");
            setNext("");
            sessions.reload();
          }, "Password changed. Your other sessions were signed out.");
        }}
      >
        {/* A hidden username helps password managers file the new password correctly. */}
        <input
          type="text"
          name="username"
          autoComplete="username"
          value={session.user.email}
          hidden
          readOnly
        />
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </label>
        <label>
          <span>
            New password <span class="hint">(at least 8 characters)</span>
          </span>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        </label>
        <ProblemNote problem={password.problem} context="Password not changed." />
        <Done message={password.done} />
        <button type="submit" disabled={password.busy || Boolean(session.viewAs)}>
          Change password
        </button>
      </form>
    </section>
  );
}
