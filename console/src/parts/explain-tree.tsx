import type { ExplainNode, SchemaInfo } from "../types.js";
import { Answer } from "./feedback.js";

/** `project:p1#edit@account:a1` → its parts, to mark what the schema says of the relation. */
function parts(check: string) {
  const match = /^([^:]+):([^#]+)#([^@]+)@(.+)$/.exec(check);
  return match
    ? {
        type: match[1] as string,
        id: match[2] as string,
        name: match[3] as string,
        subject: match[4] as string,
      }
    : undefined;
}

function mayExpire(schema: SchemaInfo | undefined, type: string, name: string): boolean {
  return (
    schema?.definitions
      .find((d) => d.name === type)
      ?.relations.find((r) => r.name === name)
      ?.subjects.some((s) => s.includes("expiration")) ?? false
  );
}

/** Object references the person knows by name (accounts by email, the tenant by its name). */
export type Names = Map<string, string>;

function Named({ reference, names }: { reference: string; names: Names }) {
  const name = names.get(reference);
  return name ? <abbr title={reference}>{name}</abbr> : reference;
}

function Node({
  node,
  schema,
  names,
}: {
  node: ExplainNode;
  schema: SchemaInfo | undefined;
  names: Names;
}) {
  const p = parts(node.check);
  return (
    <li class={`trace trace-${node.result}`}>
      <div class="trace-line">
        <Answer permissionship={node.result} /> <span class="kind">{node.kind}</span>{" "}
        {p ? (
          <code>
            <Named reference={`${p.type}:${p.id}`} names={names} />
            <strong>#{p.name}</strong>@<Named reference={p.subject} names={names} />
          </code>
        ) : (
          <code>{node.check}</code>
        )}
        {node.caveat ? (
          <span class="badge caveat">
            caveat {node.caveat.name}: {node.caveat.result.replace("_", " ")} (
            <code>{node.caveat.expression}</code>)
          </span>
        ) : null}
        {node.kind === "relation" && p && mayExpire(schema, p.type, p.name) ? (
          <span class="badge expiry">grants here may expire</span>
        ) : null}
        {node.cached ? <span class="badge">from cache</span> : null}
        {node.withheld ? <p class="hint">Trace withheld: {node.withheld}.</p> : null}
        {!node.children && node.result === "no_permission" && !node.withheld ? (
          <span class="hint"> — stops here: nothing found</span>
        ) : null}
      </div>
      {node.children ? (
        <ul>
          {node.children.map((child, i) => (
            <Node key={`${i}-${child.check}`} node={child} schema={schema} names={names} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/**
 * The explain trace as a tree: the question at the top, under it what SpiceDB evaluated. When
 * granted, only the branches that granted it; when denied, every branch tried.
 */
export function ExplainTree({
  root,
  schema,
  names,
}: {
  root: ExplainNode;
  schema: SchemaInfo | undefined;
  names: Names;
}) {
  return (
    <div class="explain">
      <h3>Why</h3>
      <ul class="tree" aria-label="Explanation">
        <Node node={root} schema={schema} names={names} />
      </ul>
    </div>
  );
}
