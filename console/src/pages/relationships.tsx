import { useEffect, useState } from "preact/hooks";
import { api, type Problem, query } from "../api.js";
import { useApp } from "../parts/app-state.js";
import { Choice, Options } from "../parts/choice.js";
import { Done, Empty, Loading, Pager, ProblemNote, useCursors } from "../parts/feedback.js";
import { asProblem, useAction, useLoad } from "../parts/load.js";
import { type ParsedLine, parseRelationshipLines } from "../parts/relationship-lines.js";
import { tenantTypes, useSchema } from "../parts/schema-cache.js";
import type { Member, SchemaInfo } from "../types.js";

interface Row {
  relationship: string;
  core: boolean;
}

type Operation = "touch" | "create" | "delete";

function Browser({
  schema,
  tenantId,
  version,
  onChanged,
}: {
  schema: SchemaInfo;
  tenantId: string;
  version: number;
  onChanged: () => void;
}) {
  const types = tenantTypes(schema);
  const [type, setType] = useState(types.includes("project") ? "project" : (types[0] ?? ""));
  const [prefix, setPrefix] = useState("");
  const [relation, setRelation] = useState("");
  const [asked, setAsked] = useState({ type, prefix, relation });
  const cursors = useCursors();
  const pageSize = 25;
  const page = useLoad(
    () =>
      api<{ relationships: Row[]; objects: number; nextCursor?: string }>(
        "GET",
        `/v1/tenants/${tenantId}/relationships${query({
          resourceType: asked.type,
          resourceIdPrefix: asked.prefix,
          relation: asked.relation,
          limit: pageSize,
          cursor: cursors.cursor,
        })}`,
      ),
    [tenantId, asked, cursors.cursor, version],
  );
  const remove = useAction();
  const [refused, setRefused] = useState<{ row: string; problem: Problem } | undefined>();
  const relations = schema.definitions.find((d) => d.name === type)?.relations ?? [];
  return (
    <>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          cursors.first();
          setAsked({ type, prefix: prefix.trim(), relation });
        }}
      >
        <Choice
          label={"Object type"}
          value={type}
          onChange={(e) => {
            setType(e.currentTarget.value);
            setRelation("");
          }}
        >
          <Options names={types} />
        </Choice>
        <label>
          Object id starts with
          <input type="text" value={prefix} onInput={(e) => setPrefix(e.currentTarget.value)} />
        </label>
        <Choice
          label={"Relation"}
          value={relation}
          onChange={(e) => setRelation(e.currentTarget.value)}
        >
          <option value="">any</option>
          <Options names={relations.map((r) => r.name)} />
        </Choice>
        <button type="submit">Show</button>
      </form>
      {page.loading ? <Loading what="relationships" /> : null}
      <ProblemNote problem={page.error} context="Could not read the relationships." />
      <ProblemNote problem={remove.problem} context="Could not remove." />
      {page.data ? (
        page.data.relationships.length === 0 ? (
          <Empty>
            No relationship of the tenant's {asked.type} objects
            {asked.prefix ? ` starting with “${asked.prefix}”` : ""}
            {asked.relation ? ` with relation ${asked.relation}` : ""}.
          </Empty>
        ) : (
          <>
            <p class="hint">
              {page.data.objects} {asked.type} object{page.data.objects === 1 ? "" : "s"} in this
              tenant. Rows marked “core” change through Members and Roles.
            </p>
            <table class="relationships">
              <caption class="sr-only">Relationships</caption>
              <thead>
                <tr>
                  <th scope="col">Relationship</th>
                  <th scope="col">
                    <span class="sr-only">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.relationships.map((r) => (
                  <tr key={r.relationship}>
                    <td>
                      <code class="wrap">{r.relationship}</code>
                      {refused?.row === r.relationship ? (
                        <ProblemNote problem={refused.problem} context="Refused:" />
                      ) : null}
                    </td>
                    <td>
                      {r.core ? (
                        <span class="badge">core</span>
                      ) : (
                        <button
                          type="button"
                          class="danger"
                          disabled={remove.busy}
                          onClick={() =>
                            void remove.run(async () => {
                              setRefused(undefined);
                              try {
                                await api("POST", "/v1/relationships", {
                                  tenantId,
                                  updates: [{ operation: "delete", relationship: r.relationship }],
                                });
                                onChanged();
                              } catch (error) {
                                setRefused({ row: r.relationship, problem: asProblem(error) });
                              }
                            })
                          }
                        >
                          Remove<span class="sr-only"> {r.relationship}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )
      ) : null}
      <Pager label="Relationships" cursors={cursors} nextCursor={page.data?.nextCursor} />
    </>
  );
}

/** The row a problem's field points at: `updates.3.relationship` → index 3. */
const refusedIndex = (problem: Problem) => {
  const match = /^updates\.(\d+)/.exec(problem.field ?? "");
  return match ? Number(match[1]) : undefined;
};

function Editor({
  schema,
  tenantId,
  members,
  onChanged,
}: {
  schema: SchemaInfo;
  tenantId: string;
  members: Member[];
  onChanged: () => void;
}) {
  const types = tenantTypes(schema);
  const [text, setText] = useState("");
  const [operation, setOperation] = useState<Operation>("touch");
  const [rows, setRows] = useState<ParsedLine[] | undefined>();
  const [refusal, setRefusal] = useState<{ index: number | undefined; problem: Problem }>();
  const write = useAction();
  // The form: a relationship built from the schema's types and relations.
  const [type, setType] = useState(types.includes("project") ? "project" : (types[0] ?? ""));
  const [objectId, setObjectId] = useState("");
  const [relation, setRelation] = useState("");
  const [subject, setSubject] = useState("");
  const definition = schema.definitions.find((d) => d.name === type);
  const relationInfo = definition?.relations.find((r) => r.name === relation);
  useEffect(() => setRows(undefined), [text]);
  const valid = rows?.filter((r) => !r.error) ?? [];
  return (
    <>
      <h3>With a form</h3>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const line = `${type}:${objectId.trim()}#${relation}@${subject.trim()}`;
          setText((t) => (t.trim() ? `${t.trimEnd()}\n${line}` : line));
        }}
      >
        <Choice label={"Type"} value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <Options names={types} />
        </Choice>
        <label>
          Object id
          <input
            type="text"
            required
            value={objectId}
            onInput={(e) => setObjectId(e.currentTarget.value)}
          />
        </label>
        <Choice
          label={"Relation"}
          required
          value={relation}
          onChange={(e) => setRelation(e.currentTarget.value)}
        >
          <option value="">Choose…</option>
          <Options names={definition?.relations.map((r) => r.name) ?? []} />
        </Choice>
        <label>
          Subject
          <input
            type="text"
            required
            placeholder="account:acc_…"
            list="member-subjects"
            value={subject}
            onInput={(e) => setSubject(e.currentTarget.value)}
          />
        </label>
        <datalist id="member-subjects">
          {members.map((m) => (
            <option key={m.accountId} value={`account:${m.accountId}`} label={m.email} />
          ))}
        </datalist>
        <button type="submit">Add line</button>
      </form>
      {relationInfo ? (
        <p class="hint">
          {relation} takes: {relationInfo.subjects.join(" | ")}
          {relationInfo.doc ? ` — ${relationInfo.doc}` : ""}
        </p>
      ) : null}
      <h3>As text</h3>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          setRefusal(undefined);
          setRows(parseRelationshipLines(text));
        }}
      >
        <label>
          <span>
            Relationships, one per line (SpiceDB syntax, e.g.{" "}
            <code>project:p1#editor@account:acc_1</code>)
          </span>
          <textarea
            rows={6}
            class="mono"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <Choice
          label={"Operation"}
          value={operation}
          onChange={(e) => setOperation(e.currentTarget.value as Operation)}
        >
          <option value="touch">add (touch: fine if it exists)</option>
          <option value="create">add (create: refused if it exists)</option>
          <option value="delete">remove</option>
        </Choice>
        <button type="submit" disabled={!text.trim()}>
          Read the lines
        </button>
      </form>
      {rows ? (
        <>
          <table class="parsed">
            <caption>
              {rows.length} line{rows.length === 1 ? "" : "s"} read; nothing written yet
            </caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Resource</th>
                <th scope="col">Relation</th>
                <th scope="col">Subject</th>
                <th scope="col">Condition</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const refusedHere =
                  refusal && refusal.index !== undefined && valid[refusal.index] === r;
                return (
                  <tr key={r.line} class={r.error || refusedHere ? "row-refused" : undefined}>
                    <td>{r.line}</td>
                    {r.error ? (
                      <td colSpan={4}>
                        <code class="wrap">{r.text}</code>
                        <p class="problem">Cannot read this line: {r.error}</p>
                      </td>
                    ) : (
                      <>
                        <td>
                          <code>{r.resource}</code>
                        </td>
                        <td>{r.relation}</td>
                        <td>
                          <code class="wrap">{r.subject}</code>
                          {refusedHere ? (
                            <ProblemNote problem={refusal.problem} context="Refused:" />
                          ) : null}
                        </td>
                        <td>
                          {r.caveat ? <span class="badge">caveat {r.caveat}</span> : null}
                          {r.expiration ? <span class="badge">expires {r.expiration}</span> : null}
                        </td>
                      </>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button
            type="button"
            class="primary"
            disabled={write.busy || valid.length === 0 || valid.length !== rows.length}
            onClick={() =>
              void write.run(
                async () => {
                  setRefusal(undefined);
                  try {
                    await api("POST", "/v1/relationships", {
                      tenantId,
                      updates: valid.map((r) => ({ operation, relationship: r.text })),
                    });
                  } catch (error) {
                    const problem = asProblem(error);
                    setRefusal({ index: refusedIndex(problem), problem });
                    throw problem;
                  }
                  setText("");
                  onChanged();
                },
                `Wrote ${valid.length} update${valid.length === 1 ? "" : "s"}.`,
              )
            }
          >
            {operation === "delete" ? "Remove" : "Write"} {valid.length} relationship
            {valid.length === 1 ? "" : "s"} (all or none)
          </button>
          {valid.length !== rows.length ? (
            <p class="hint">Fix the lines that cannot be read first.</p>
          ) : null}
        </>
      ) : null}
      {refusal?.index === undefined ? (
        <ProblemNote problem={write.problem} context="Nothing was written." />
      ) : (
        <p class="problem" role="alert">
          Nothing was written: line {valid[refusal.index]?.line} was refused (see above).
        </p>
      )}
      <Done message={write.done} />
    </>
  );
}

export function RelationshipsPage() {
  const { tenant } = useApp();
  const schema = useSchema();
  const [version, setVersion] = useState(0);
  const members = useLoad(
    () => api<{ members: Member[] }>("GET", `/v1/tenants/${tenant?.id}/members`),
    [tenant?.id, version],
  );
  if (!tenant) return null;
  const changed = () => setVersion((v) => v + 1);
  return (
    <section>
      <h1>Relationships of {tenant.name}</h1>
      <p>
        <a
          class="button"
          href={`/v1/tenants/${tenant.id}/relationships/export`}
          download={`relationships-${tenant.id}.txt`}
        >
          Export all relationships
        </a>
      </p>
      {schema.loading ? <Loading what="the schema" /> : null}
      <ProblemNote problem={schema.error} context="Could not read the schema." />
      {schema.data ? (
        <>
          <h2>Browse</h2>
          <Browser
            schema={schema.data}
            tenantId={tenant.id}
            version={version}
            onChanged={changed}
          />
          <h2>Add or remove</h2>
          <Editor
            schema={schema.data}
            tenantId={tenant.id}
            members={members.data?.members ?? []}
            onChanged={changed}
          />
        </>
      ) : null}
    </section>
  );
}
