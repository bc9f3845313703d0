import { Loading, ProblemNote } from "../parts/feedback.js";
import { useSchema } from "../parts/schema-cache.js";

/** A permission's expression with the names it is made of linked to their definitions. */
function Expression({
  type,
  expression,
  names,
}: {
  type: string;
  expression: string;
  names: Set<string>;
}) {
  return (
    <code class="wrap">
      {expression.split(/([a-z][a-z0-9_]*)/).map((token, i) =>
        names.has(token) ? (
          <button
            type="button"
            class="link"
            key={`${i}-${token}`}
            onClick={() => document.getElementById(`${type}-${token}`)?.focus()}
          >
            {token}
          </button>
        ) : (
          token
        ),
      )}
    </code>
  );
}

export function SchemaPage() {
  const schema = useSchema();
  return (
    <section>
      <h1>Schema</h1>
      <p class="hint">
        The deployed SpiceDB schema: each type, its relations (data) and permissions (rules).
      </p>
      {schema.loading ? <Loading what="the schema" /> : null}
      <ProblemNote problem={schema.error} context="Could not read the schema." />
      {schema.data ? (
        <>
          <nav aria-label="Types" class="toc">
            {schema.data.definitions.map((d) => (
              <button
                type="button"
                class="link"
                key={d.name}
                onClick={() => document.getElementById(`def-${d.name}`)?.focus()}
              >
                {d.name}
              </button>
            ))}
          </nav>
          {schema.data.definitions.map((d) => {
            const names = new Set([...d.relations, ...d.permissions].map((m) => m.name));
            return (
              <article key={d.name} class="card definition">
                <h2 id={`def-${d.name}`} tabIndex={-1}>
                  <code>{d.name}</code>
                </h2>
                {d.doc ? <p>{d.doc}</p> : null}
                {d.relations.length > 0 ? (
                  <table>
                    <caption>Relations of {d.name}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Relation</th>
                        <th scope="col">Who can be there</th>
                        <th scope="col">Meaning</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.relations.map((r) => (
                        <tr key={r.name}>
                          <th scope="row" id={`${d.name}-${r.name}`} tabIndex={-1}>
                            <code>{r.name}</code>
                          </th>
                          <td>
                            <code class="wrap">{r.subjects.join(" | ")}</code>
                          </td>
                          <td>{r.doc ?? ""}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
                {d.permissions.length > 0 ? (
                  <table>
                    <caption>Permissions of {d.name}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Permission</th>
                        <th scope="col">Made of</th>
                        <th scope="col">Meaning</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.permissions.map((p) => (
                        <tr key={p.name}>
                          <th scope="row" id={`${d.name}-${p.name}`} tabIndex={-1}>
                            <code>{p.name}</code>
                          </th>
                          <td>
                            <Expression type={d.name} expression={p.expression} names={names} />
                          </td>
                          <td>{p.doc ?? ""}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
              </article>
            );
          })}
          {schema.data.caveats.map((c) => (
            <article key={c.name} class="card definition">
              <h2>
                caveat <code>{c.name}</code>
              </h2>
              {c.doc ? <p>{c.doc}</p> : null}
              <p>
                Parameters: {c.parameters.map((p) => `${p.name} ${p.type}`).join(", ")}. Holds when:{" "}
                <code>{c.expression}</code>
              </p>
            </article>
          ))}
          <details>
            <summary>The schema as text</summary>
            <pre class="schema-text">{schema.data.schema}</pre>
          </details>
        </>
      ) : null}
    </section>
  );
}
