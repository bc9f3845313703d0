import { useState } from "preact/hooks";
import { api, query } from "../api.js";
import { useApp } from "../parts/app-state.js";
import { Choice } from "../parts/choice.js";
import { Empty, Loading, Pager, ProblemNote, useCursors, when } from "../parts/feedback.js";
import { useLoad } from "../parts/load.js";
import type { AuditEntry, Member } from "../types.js";

/** `datetime-local` input value → ISO time (the browser's zone), or undefined. */
const isoFrom = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** What an entry changed, in a line or a few, in words where the log has a known shape. */
function describe(updates: unknown): string[] {
  if (Array.isArray(updates))
    return updates.map((u) => {
      const { operation, relationship } = u as { operation?: string; relationship?: string };
      return `${operation ?? ""} ${relationship ?? ""}`.trim();
    });
  const entry = updates as Record<string, Record<string, unknown> | undefined>;
  if (entry.deleteFilter)
    return [
      `delete every ${Object.entries(entry.deleteFilter)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(" ")}`,
    ];
  if (entry.invitation)
    return [`${entry.invitation.email} as ${entry.invitation.role} (${entry.invitation.id})`];
  if (entry.viewAs)
    return [
      `view as ${entry.viewAs.accountId}${entry.viewAs.reason ? `: “${entry.viewAs.reason}”` : ""}`,
    ];
  return [JSON.stringify(updates)];
}

export function AuditPage() {
  const { tenant } = useApp();
  const members = useLoad(
    () => api<{ members: Member[] }>("GET", `/v1/tenants/${tenant?.id}/members`),
    [tenant?.id],
  );
  const [actor, setActor] = useState("");
  const [object, setObject] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [filters, setFilters] = useState({ actor: "", object: "", since: "", until: "" });
  const [format, setFormat] = useState<"csv" | "jsonl">("csv");
  const cursors = useCursors();
  const page = useLoad(
    () =>
      api<{ entries: AuditEntry[]; nextCursor?: string }>(
        "GET",
        `/v1/tenants/${tenant?.id}/audit${query({
          order: "desc",
          limit: 25,
          cursor: cursors.cursor,
          actor: filters.actor,
          object: filters.object,
          since: isoFrom(filters.since),
          until: isoFrom(filters.until),
        })}`,
      ),
    [tenant?.id, filters, cursors.cursor],
  );
  if (!tenant) return null;
  const byAccount = new Map((members.data?.members ?? []).map((m) => [m.accountId, m.email]));
  const byUser = new Map((members.data?.members ?? []).map((m) => [m.userId, m.email]));
  const who = (e: AuditEntry) =>
    (e.actor.accountId && byAccount.get(e.actor.accountId)) ||
    byUser.get(e.actor.id) ||
    `${e.actor.type} ${e.actor.id}`;
  const exportUrl = `/v1/tenants/${tenant.id}/audit/export${query({
    format,
    actor: filters.actor,
    object: filters.object,
    since: isoFrom(filters.since),
    until: isoFrom(filters.until),
  })}`;
  return (
    <section>
      <h1>Audit log of {tenant.name}</h1>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          cursors.first();
          setFilters({ actor, object: object.trim(), since, until });
        }}
      >
        <Choice label={"Who"} value={actor} onChange={(e) => setActor(e.currentTarget.value)}>
          <option value="">anyone</option>
          {members.data?.members.map((m) => (
            <option key={m.accountId} value={m.accountId}>
              {m.email}
            </option>
          ))}
        </Choice>
        <label>
          Object
          <input
            type="text"
            placeholder="project:p1"
            value={object}
            onInput={(e) => setObject(e.currentTarget.value)}
          />
        </label>
        <label>
          From
          <input
            type="datetime-local"
            value={since}
            onInput={(e) => setSince(e.currentTarget.value)}
          />
        </label>
        <label>
          Until
          <input
            type="datetime-local"
            value={until}
            onInput={(e) => setUntil(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <div class="inline export">
        <Choice
          label={"Export format"}
          value={format}
          onChange={(e) => setFormat(e.currentTarget.value as "csv" | "jsonl")}
        >
          <option value="csv">CSV</option>
          <option value="jsonl">JSON lines</option>
        </Choice>
        <a class="button" href={exportUrl} download>
          Export these entries
        </a>
      </div>
      {page.loading ? <Loading what="the audit log" /> : null}
      <ProblemNote problem={page.error} context="Could not read the audit log." />
      {page.data && page.data.entries.length === 0 ? (
        <Empty>
          No entries{Object.values(filters).some(Boolean) ? " match these filters" : ""}.
        </Empty>
      ) : null}
      {page.data && page.data.entries.length > 0 ? (
        <table class="audit">
          <caption class="sr-only">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {page.data.entries.map((e) => (
              <tr key={e.id}>
                <td>{when(e.at)}</td>
                <td>
                  {who(e)}
                  {e.ip ? <span class="id"> from {e.ip}</span> : null}
                </td>
                <td>{e.action}</td>
                <td>
                  {describe(e.updates).map((line, i) => (
                    <code key={`${i}-${line}`} class="wrap block">
                      {line}
                    </code>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager label="Audit log" cursors={cursors} nextCursor={page.data?.nextCursor} />
    </section>
  );
}
