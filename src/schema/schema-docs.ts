import { formatAllowedSubject, type SchemaOutline } from "./schema-outline.js";

const DECLARATION =
  /(\/\*\*([\s\S]*?)\*\/)|\/\/[^\n]*|\b(definition|caveat)\s+([a-z][a-z0-9_/]*)|\b(relation|permission)\s+([a-z][a-z0-9_]*)/g;

/** The text of a doc comment without its `*` margin. */
function commentText(body: string): string {
  return body
    .split("\n")
    .map((line) => line.replace(/^\s*\*\s?/, "").trim())
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The doc comments of a schema's declarations: `type` for definitions and caveats,
 * `type#name` for relations and permissions. A comment documents the declaration right after
 * it (nothing but blank space between). The outline drops comments; this keeps only them.
 */
function schemaDocComments(text: string): Map<string, string> {
  const docs = new Map<string, string>();
  let pending: { text: string; end: number } | undefined;
  let current = "";
  for (const match of text.matchAll(DECLARATION)) {
    const start = match.index ?? 0;
    if (match[1] !== undefined) {
      pending = { text: commentText(match[2] ?? ""), end: start + match[0].length };
      continue;
    }
    if (match[0].startsWith("//")) continue;
    const documented =
      pending && /^\s*$/.test(text.slice(pending.end, start)) ? pending.text : undefined;
    pending = undefined;
    const key = match[3] ? (match[4] as string) : `${current}#${match[6]}`;
    if (match[3]) current = match[4] as string;
    if (documented) docs.set(key, documented);
  }
  return docs;
}

/** The deployed schema, readable: each definition's relations and permissions with their docs. */
export function describeSchema(text: string, outline: SchemaOutline) {
  const docs = schemaDocComments(text);
  return {
    schema: text,
    definitions: [...outline.definitions.values()].map((definition) => {
      const members = [...definition.members.values()];
      return {
        name: definition.name,
        doc: docs.get(definition.name) ?? null,
        relations: members.flatMap((m) =>
          m.kind === "relation"
            ? [
                {
                  name: m.name,
                  doc: docs.get(`${definition.name}#${m.name}`) ?? null,
                  subjects: m.allowed.map(formatAllowedSubject),
                },
              ]
            : [],
        ),
        permissions: members.flatMap((m) =>
          m.kind === "permission"
            ? [
                {
                  name: m.name,
                  doc: docs.get(`${definition.name}#${m.name}`) ?? null,
                  expression: m.expression,
                },
              ]
            : [],
        ),
      };
    }),
    caveats: [...outline.caveats.values()].map((caveat) => ({
      name: caveat.name,
      doc: docs.get(caveat.name) ?? null,
      parameters: [...caveat.parameters].map(([name, type]) => ({ name, type })),
      expression: caveat.expression,
    })),
  };
}
