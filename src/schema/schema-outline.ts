/**
 * The outline of a SpiceDB schema: what `schema diff` compares. It keeps the parts a schema
 * change is judged by (features, caveats with their parameters, definitions, relations with the
 * subject types they allow, permissions with their expressions) and drops comments and layout.
 *
 * It is a reader, not a validator: SpiceDB compiles the schema first (types that exist, relations
 * that resolve, caveat expressions that type-check); this only has to take apart what SpiceDB
 * accepts, and say where when it cannot.
 */
export interface SchemaOutline {
  /** `use expiration` and the like, in order. */
  features: string[];
  caveats: Map<string, CaveatOutline>;
  definitions: Map<string, DefinitionOutline>;
}

export interface CaveatOutline {
  name: string;
  /** Parameter name → type (`list<string>`), in declaration order. */
  parameters: Map<string, string>;
  /** The CEL expression, its tokens joined in one canonical layout, comments dropped. */
  expression: string;
}

export interface DefinitionOutline {
  name: string;
  /** Relations and permissions by name, in declaration order. */
  members: Map<string, MemberOutline>;
}

export type MemberOutline = RelationOutline | PermissionOutline;

export interface RelationOutline {
  kind: "relation";
  name: string;
  allowed: AllowedSubject[];
}

export interface PermissionOutline {
  kind: "permission";
  name: string;
  /** The expression, its tokens joined in one canonical layout, comments dropped. */
  expression: string;
}

/** One alternative of `relation x: user | group#member | user:* | user with c and expiration`. */
export interface AllowedSubject {
  type: string;
  /** `member` in `group#member`; undefined for the object itself. */
  relation?: string;
  wildcard: boolean;
  caveat?: string;
  expiration: boolean;
}

/** The schema text cannot be read as a schema; 1-based line and column of the offending token. */
export class SchemaOutlineError extends Error {
  override name = "SchemaOutlineError";
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

/** `user`, `group#member`, `user:*`, `user with on_network and expiration`: SpiceDB's spelling. */
export function formatAllowedSubject(subject: AllowedSubject): string {
  let text = subject.type;
  if (subject.wildcard) text += ":*";
  else if (subject.relation) text += `#${subject.relation}`;
  const traits = [
    ...(subject.caveat ? [subject.caveat] : []),
    ...(subject.expiration ? ["expiration"] : []),
  ];
  return traits.length > 0 ? `${text} with ${traits.join(" and ")}` : text;
}

/** Reads a schema's outline; throws SchemaOutlineError at the first thing it cannot take apart. */
export function outlineSchema(text: string): SchemaOutline {
  return new OutlineParser(new Lexer(text)).schema();
}

interface Token {
  kind: "name" | "punct" | "string" | "number" | "end";
  text: string;
  offset: number;
  /** A line break (or a comment spanning one) comes between this token and the previous one. */
  newlineBefore: boolean;
}

// Names may carry prefixes: `org/identity_team/group`, `foo/bar/only_on_tuesday`.
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*/y;
const CEL_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[uU]?/y;
const OPERATORS = ["->", "&&", "||", "==", "!=", "<=", ">="];

/** Tokens of schema text, with the comments and layout between them skipped. */
class Lexer {
  private pos = 0;
  /** Inside a caveat's CEL body, where `/` divides rather than prefixes a name. */
  cel = false;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.lineStarts[low] ?? 0) + 1 };
  }

  fail(reason: string, offset: number): never {
    const { line, column } = this.position(offset);
    throw new SchemaOutlineError(reason, line, column);
  }

  /** Skips blanks and comments; true if a line break was among them. */
  private skipLayout(): boolean {
    let newline = false;
    const { text } = this;
    while (this.pos < text.length) {
      const ch = text[this.pos];
      if (ch === "\n") {
        newline = true;
        this.pos++;
      } else if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v") {
        this.pos++;
      } else if (text.startsWith("//", this.pos)) {
        const end = text.indexOf("\n", this.pos);
        this.pos = end < 0 ? text.length : end;
      } else if (text.startsWith("/*", this.pos)) {
        const end = text.indexOf("*/", this.pos + 2);
        if (end < 0) this.fail("unterminated /* comment", this.pos);
        if (text.slice(this.pos, end).includes("\n")) newline = true;
        this.pos = end + 2;
      } else {
        break;
      }
    }
    return newline;
  }

  next(): Token {
    const newlineBefore = this.skipLayout();
    const { text } = this;
    const offset = this.pos;
    if (offset >= text.length) return { kind: "end", text: "", offset, newlineBefore };
    const ch = text[offset] as string;
    const token = (kind: Token["kind"], length: number): Token => {
      this.pos = offset + length;
      return { kind, text: text.slice(offset, offset + length), offset, newlineBefore };
    };
    const namePattern = this.cel ? CEL_NAME : NAME;
    namePattern.lastIndex = offset;
    const name = namePattern.exec(text);
    if (name) {
      // A string prefix (r"…", b'…') belongs to the string.
      const quote = text[offset + name[0].length];
      if (/^[rRbB]{1,2}$/.test(name[0]) && (quote === '"' || quote === "'")) {
        return token(
          "string",
          this.stringLength(offset + name[0].length, name[0]) + name[0].length,
        );
      }
      return token("name", name[0].length);
    }
    NUMBER.lastIndex = offset;
    const number = NUMBER.exec(text);
    if (number) return token("number", number[0].length);
    if (ch === '"' || ch === "'") return token("string", this.stringLength(offset, ""));
    const operator = OPERATORS.find((op) => text.startsWith(op, offset));
    return token("punct", operator?.length ?? 1);
  }

  /** Length of the string literal (CEL's rules) starting with the quote at `start`. */
  private stringLength(start: number, prefix: string): number {
    const { text } = this;
    const quote = text[start] as string;
    const triple = text.startsWith(quote.repeat(3), start);
    const close = triple ? quote.repeat(3) : quote;
    const raw = /[rR]/.test(prefix);
    for (let i = start + close.length; i < text.length; i++) {
      if (!raw && text[i] === "\\") i++;
      else if (text.startsWith(close, i)) return i + close.length - start;
      else if (!triple && text[i] === "\n") break;
    }
    return this.fail("unterminated string", start);
  }
}

// After these a line break does not end a statement: the expression goes on.
const CONTINUES_AFTER = new Set([
  "+",
  "-",
  "&",
  "|",
  "->",
  ".",
  "(",
  ",",
  "#",
  ":",
  "=",
  "with",
  "and",
]);
// A line starting with these continues the statement above.
const CONTINUES_BEFORE = new Set(["+", "-", "&", "|", "->", ".", ")"]);

class OutlineParser {
  private token: Token;

  constructor(private readonly lexer: Lexer) {
    this.token = lexer.next();
  }

  private advance(): Token {
    const current = this.token;
    this.token = this.lexer.next();
    return current;
  }

  private fail(reason: string, token: Token = this.token): never {
    const found = token.kind === "end" ? "the end of the schema" : `\`${token.text}\``;
    return this.lexer.fail(`${reason}, found ${found}`, token.offset);
  }

  private expect(text: string): Token {
    if (this.token.text !== text || this.token.kind === "string") this.fail(`expected \`${text}\``);
    return this.advance();
  }

  /** The current token is this keyword (a method, so that checks after `advance()` still narrow). */
  private atWord(word: string): boolean {
    return this.token.kind === "name" && this.token.text === word;
  }

  private expectName(what: string): string {
    if (this.token.kind !== "name") this.fail(`expected ${what}`);
    return this.advance().text;
  }

  schema(): SchemaOutline {
    const outline: SchemaOutline = { features: [], caveats: new Map(), definitions: new Map() };
    while (this.token.kind !== "end") {
      const keyword = this.token;
      if (keyword.text === ";") {
        this.advance();
      } else if (keyword.text === "use") {
        this.advance();
        const feature = this.expectName("a feature after `use`");
        if (!outline.features.includes(feature)) outline.features.push(feature);
      } else if (keyword.text === "definition") {
        this.advance();
        const definition = this.definition();
        if (outline.definitions.has(definition.name)) {
          this.lexer.fail(`definition \`${definition.name}\` is declared twice`, keyword.offset);
        }
        outline.definitions.set(definition.name, definition);
      } else if (keyword.text === "caveat") {
        this.advance();
        const caveat = this.caveat();
        if (outline.caveats.has(caveat.name)) {
          this.lexer.fail(`caveat \`${caveat.name}\` is declared twice`, keyword.offset);
        }
        outline.caveats.set(caveat.name, caveat);
      } else {
        this.fail("expected `definition`, `caveat` or `use`");
      }
    }
    return outline;
  }

  private definition(): DefinitionOutline {
    const name = this.expectName("a definition name");
    this.expect("{");
    const members = new Map<string, MemberOutline>();
    while (this.token.text !== "}") {
      const keyword = this.token;
      if (keyword.text === ";") {
        this.advance();
        continue;
      }
      let member: MemberOutline;
      if (keyword.text === "relation" && keyword.kind === "name") {
        this.advance();
        member = this.relation();
      } else if (keyword.text === "permission" && keyword.kind === "name") {
        this.advance();
        member = this.permission();
      } else {
        this.fail(`expected \`relation\`, \`permission\` or \`}\` in definition \`${name}\``);
      }
      if (members.has(member.name)) {
        this.lexer.fail(`\`${member.name}\` is declared twice in \`${name}\``, keyword.offset);
      }
      members.set(member.name, member);
      this.endOfStatement();
    }
    this.advance();
    return { name, members };
  }

  /** A statement ends at `;`, before `}`, or at a line break. */
  private endOfStatement(): void {
    if (this.token.text === ";") this.advance();
    else if (this.token.text !== "}" && !this.token.newlineBefore) {
      this.fail("expected the end of the statement");
    }
  }

  private relation(): RelationOutline {
    const name = this.expectName("a relation name");
    this.expect(":");
    const allowed: AllowedSubject[] = [this.allowedSubject()];
    while (this.token.text === "|") {
      this.advance();
      allowed.push(this.allowedSubject());
    }
    return { kind: "relation", name, allowed };
  }

  private allowedSubject(): AllowedSubject {
    const subject: AllowedSubject = {
      type: this.expectName("a subject type"),
      wildcard: false,
      expiration: false,
    };
    if (this.token.text === "#") {
      this.advance();
      subject.relation = this.expectName("a relation after `#`");
    } else if (this.token.text === ":") {
      this.advance();
      this.expect("*");
      subject.wildcard = true;
    }
    if (this.atWord("with")) {
      this.advance();
      const trait = this.expectName("a caveat or `expiration` after `with`");
      if (trait === "expiration") {
        subject.expiration = true;
      } else {
        subject.caveat = trait;
        if (this.atWord("and")) {
          this.advance();
          if (!this.atWord("expiration")) this.fail("expected `expiration` after `and`");
          this.advance();
          subject.expiration = true;
        }
      }
    }
    return subject;
  }

  private permission(): PermissionOutline {
    const name = this.expectName("a permission name");
    this.expect("=");
    const tokens: Token[] = [];
    let depth = 0;
    for (;;) {
      const token = this.token;
      const previous = tokens.at(-1);
      if (token.kind === "end") this.fail(`the expression of \`${name}\` is not finished`);
      if (depth === 0 && (token.text === ";" || token.text === "}")) break;
      if (
        depth === 0 &&
        previous &&
        token.newlineBefore &&
        !CONTINUES_AFTER.has(previous.text) &&
        !CONTINUES_BEFORE.has(token.text)
      ) {
        break;
      }
      if (token.kind === "string") this.fail(`unexpected string in the expression of \`${name}\``);
      if (token.text === "(") depth++;
      if (token.text === ")" && --depth < 0) this.fail("unbalanced `)`");
      tokens.push(this.advance());
    }
    if (tokens.length === 0) this.fail(`expected an expression for \`${name}\``);
    return { kind: "permission", name, expression: layoutTokens(tokens.map((t) => t.text)) };
  }

  private caveat(): CaveatOutline {
    const name = this.expectName("a caveat name");
    this.expect("(");
    const parameters = new Map<string, string>();
    while (this.token.text !== ")") {
      const parameterToken = this.token;
      const parameter = this.expectName("a parameter name");
      const type: string[] = [];
      let depth = 0;
      while (depth > 0 || (this.token.text !== "," && this.token.text !== ")")) {
        if (this.token.kind === "end") this.fail(`the parameters of \`${name}\` are not closed`);
        if (this.token.text === "<") depth++;
        if (this.token.text === ">") depth--;
        type.push(this.advance().text);
      }
      if (type.length === 0) this.fail(`expected a type for parameter \`${parameter}\``);
      if (parameters.has(parameter)) {
        this.lexer.fail(`parameter \`${parameter}\` is declared twice`, parameterToken.offset);
      }
      // `list<string>`, `map<any>`: types are written without spaces.
      parameters.set(parameter, type.join(""));
      if (this.token.text === ",") this.advance();
    }
    this.advance();
    // The token after `{` is read as CEL.
    this.lexer.cel = true;
    const open = this.expect("{");
    // CEL: maps and messages have braces of their own, strings may hold anything.
    const tokens: string[] = [];
    let depth = 0;
    for (;;) {
      const token = this.token;
      if (token.kind === "end")
        this.lexer.fail(`the body of caveat \`${name}\` is not closed`, open.offset);
      if (token.kind === "punct" && token.text === "{") depth++;
      if (token.kind === "punct" && token.text === "}" && depth-- === 0) break;
      tokens.push(this.advance().text);
    }
    this.lexer.cel = false;
    this.advance();
    if (tokens.length === 0) this.fail(`caveat \`${name}\` has no expression`);
    return { name, parameters, expression: layoutTokens(tokens) };
  }
}

const NO_SPACE_AFTER = new Set(["(", "[", "{", ".", "->", "!"]);
const NO_SPACE_BEFORE = new Set([")", "]", "}", ",", ".", "->", ":"]);
const OPERAND_END = /^[A-Za-z0-9_"')\]}]/;

/**
 * Joins expression tokens in one layout (`viewer + parent->member - (banned & viewer)`,
 * `a > 1 && ip.in_cidr(cidr)`), so expressions that differ only in spacing, line breaks or
 * comments read the same.
 */
export function layoutTokens(tokens: string[]): string {
  let text = "";
  let previous: string | undefined;
  let afterUnary = false;
  for (const token of tokens) {
    const operandBefore: boolean =
      previous !== undefined && !afterUnary && OPERAND_END.test(previous);
    const call = (token === "(" || token === "[") && operandBefore;
    const tight =
      previous === undefined ||
      afterUnary ||
      NO_SPACE_AFTER.has(previous) ||
      NO_SPACE_BEFORE.has(token) ||
      call;
    text += tight ? token : ` ${token}`;
    afterUnary = token === "-" && !operandBefore;
    previous = token;
  }
  return text;
}
