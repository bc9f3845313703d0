import { useState } from "preact/hooks";
import { api, query, viewAs } from "../api.js";
import { Choice } from "../parts/choice.js";
import {
  CopyField,
  Empty,
  Loading,
  Pager,
  ProblemNote,
  useCursors,
  when,
} from "../parts/feedback.js";
import { useAction, useLoad } from "../parts/load.js";

interface Status {
  engine: { kind: string; ready: boolean; detail: string | null; latencyMs: number };
  store: { kind: string; ready: boolean; latencyMs: number };
  counts: { users: number; tenants: number; liveServiceKeys: number; liveSessions: number } | null;
  uptimeSeconds: number;
  node: string;
  metrics: {
    name: string;
    help: string;
    type: string;
    values: { series?: string; labels: Record<string, string>; value: number }[];
  }[];
}

interface UserRow {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
  operator: boolean;
  accounts: { id: string; tenantId: string; tenantName: string }[];
}

interface KeyRow {
  id: string;
  name: string;
  scope: "check" | "write";
  createdAt: string;
  revokedAt: string | null;
}

function StatusPanel() {
  const status = useLoad(() => api<Status>("GET", "/v1/operator/status"), []);
  const [filter, setFilter] = useState("tenantgate_");
  if (status.loading && !status.data) return <Loading what="the instance status" />;
  if (status.error) return <ProblemNote problem={status.error} />;
  const s = status.data as Status;
  // tenantgate's own numbers first, the process's and Node's after.
  const generic = (name: string) => /_(process|nodejs)_/.test(name);
  const rows = s.metrics
    .filter((m) => m.name.includes(filter.trim()))
    .sort((a, b) => Number(generic(a.name)) - Number(generic(b.name)))
    .flatMap((m) =>
      m.values.map((v) => ({
        name: `${m.name}${v.series ? `_${v.series}` : ""}`,
        labels: Object.entries(v.labels)
          .map(([k, l]) => `${k}=${l}`)
          .join(", "),
        value: v.value,
        help: m.help,
      })),
    );
  return (
    <>
      <div class="cards stats">
        <div class="card">
          <h3>Engine</h3>
          <p>
            {s.engine.kind}: <strong>{s.engine.ready ? "answering" : "not answering"}</strong> (
            {s.engine.latencyMs} ms)
          </p>
          {s.engine.detail ? <p class="problem">{s.engine.detail}</p> : null}
        </div>
        <div class="card">
          <h3>Store</h3>
          <p>
            {s.store.kind}: <strong>{s.store.ready ? "answering" : "not answering"}</strong> (
            {s.store.latencyMs} ms)
          </p>
        </div>
        <div class="card">
          <h3>Counts</h3>
          {s.counts ? (
            <p>
              {s.counts.users} users, {s.counts.tenants} tenants, {s.counts.liveSessions} live
              sessions, {s.counts.liveServiceKeys} live service keys
            </p>
          ) : (
            <p>unknown</p>
          )}
        </div>
        <div class="card">
          <h3>Process</h3>
          <p>
            up {Math.round(s.uptimeSeconds / 60)} min, Node {s.node}
          </p>
        </div>
      </div>
      <button type="button" onClick={status.reload}>
        Refresh
      </button>
      <h3>Metrics</h3>
      <label>
        Show metrics whose name contains
        <input type="text" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      </label>
      {/* Focusable, so the scrolled table can be scrolled by keyboard too. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region needs keyboard access */}
      <section class="scroll" tabIndex={0} aria-label="Metrics">
        <table class="metrics">
          <caption class="sr-only">Metrics</caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Labels</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, 300).map((r, i) => (
              <tr key={`${i}-${r.name}-${r.labels}`}>
                <td title={r.help}>
                  <code class="wrap">{r.name}</code>
                </td>
                <td>
                  <code class="wrap">{r.labels}</code>
                </td>
                <td class="num">{Number.isInteger(r.value) ? r.value : r.value.toFixed(4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function Tenants() {
  const cursors = useCursors();
  const page = useLoad(
    () =>
      api<{
        tenants: { id: string; name: string; createdAt: string; accounts: number }[];
        nextCursor?: string;
      }>("GET", `/v1/operator/tenants${query({ cursor: cursors.cursor, limit: 20 })}`),
    [cursors.cursor],
  );
  return (
    <>
      {page.loading ? <Loading what="tenants" /> : null}
      <ProblemNote problem={page.error} />
      {page.data && page.data.tenants.length === 0 ? <Empty>No tenant yet.</Empty> : null}
      {page.data && page.data.tenants.length > 0 ? (
        <table>
          <caption class="sr-only">Tenants</caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Accounts</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {page.data.tenants.map((t) => (
              <tr key={t.id}>
                <td>
                  {t.name} <span class="id">{t.id}</span>
                </td>
                <td class="num">{t.accounts}</td>
                <td>{when(t.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager label="Tenants" cursors={cursors} nextCursor={page.data?.nextCursor} />
    </>
  );
}

function ViewAsForm({ user }: { user: UserRow }) {
  const [accountId, setAccountId] = useState(user.accounts[0]?.id ?? "");
  const [reason, setReason] = useState("");
  const action = useAction();
  if (user.accounts.length === 0) return <span class="hint">no account to view as</span>;
  return (
    <details>
      <summary>View as…</summary>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const started = await api<{ viewAs: { id: string } }>("POST", "/v1/operator/view-as", {
              accountId,
              reason: reason.trim(),
            });
            viewAs.set(started.viewAs.id);
            location.hash = "#/";
            location.reload();
          });
        }}
      >
        <Choice
          label={<>Account of {user.email}</>}
          value={accountId}
          onChange={(e) => setAccountId(e.currentTarget.value)}
        >
          {user.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              in {a.tenantName}
            </option>
          ))}
        </Choice>
        <label>
          Reason (recorded in the tenant's audit log)
          <input
            type="text"
            required
            minLength={5}
            maxLength={500}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={action.busy}>
          View read-only as {user.email}
        </button>
        <ProblemNote problem={action.problem} />
      </form>
    </details>
  );
}

function Users() {
  const cursors = useCursors();
  const page = useLoad(
    () =>
      api<{ users: UserRow[]; nextCursor?: string }>(
        "GET",
        `/v1/operator/users${query({ cursor: cursors.cursor, limit: 20 })}`,
      ),
    [cursors.cursor],
  );
  return (
    <>
      {page.loading ? <Loading what="users" /> : null}
      <ProblemNote problem={page.error} />
      {page.data && page.data.users.length > 0 ? (
        <table>
          <caption class="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Tenants</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.data.users.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.email}
                  {u.operator ? <span class="badge">operator</span> : null}
                </td>
                <td>{u.accounts.map((a) => a.tenantName).join(", ") || "none"}</td>
                <td>{when(u.createdAt)}</td>
                <td>
                  <ViewAsForm user={u} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager label="Users" cursors={cursors} nextCursor={page.data?.nextCursor} />
    </>
  );
}

function ServiceKeys() {
  const [version, setVersion] = useState(0);
  const keys = useLoad(
    () => api<{ serviceKeys: KeyRow[] }>("GET", "/v1/operator/service-keys"),
    [version],
  );
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"check" | "write">("check");
  const [token, setToken] = useState<string | undefined>();
  const action = useAction();
  const live = keys.data?.serviceKeys.filter((k) => !k.revokedAt) ?? [];
  return (
    <>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const created = await api<{ token: string }>("POST", "/v1/operator/service-keys", {
              name: name.trim(),
              scope,
            });
            setToken(created.token);
            setName("");
            setVersion((v) => v + 1);
          });
        }}
      >
        <label>
          Key name
          <input
            type="text"
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <Choice
          label={"Scope"}
          value={scope}
          onChange={(e) => setScope(e.currentTarget.value as "check" | "write")}
        >
          <option value="check">check: ask questions</option>
          <option value="write">write: also change relationships</option>
        </Choice>
        <button type="submit" class="primary" disabled={action.busy || !name.trim()}>
          Create key
        </button>
      </form>
      {token ? (
        <CopyField
          label="New key's token"
          value={token}
          note="Shown once: store it as a secret now. tenantgate keeps only its hash."
        />
      ) : null}
      <ProblemNote problem={action.problem ?? keys.error} />
      {keys.data && live.length === 0 ? <Empty>No live service key.</Empty> : null}
      {live.length > 0 ? (
        <table>
          <caption class="sr-only">Service keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {live.map((k) => (
              <tr key={k.id}>
                <td>
                  {k.name} <span class="id">{k.id}</span>
                </td>
                <td>{k.scope}</td>
                <td>{when(k.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    disabled={action.busy}
                    onClick={() => {
                      if (!confirm(`Revoke ${k.name}? Services using it are refused at once.`))
                        return;
                      void action.run(async () => {
                        await api("DELETE", `/v1/operator/service-keys/${k.id}`);
                        setVersion((v) => v + 1);
                      });
                    }}
                  >
                    Revoke<span class="sr-only"> {k.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** For operators: the installation as a whole. */
export function InstancePage() {
  return (
    <section>
      <h1>Instance</h1>
      <h2>Status</h2>
      <StatusPanel />
      <h2>Tenants</h2>
      <Tenants />
      <h2>Users</h2>
      <Users />
      <h2>Service keys</h2>
      <ServiceKeys />
    </section>
  );
}
