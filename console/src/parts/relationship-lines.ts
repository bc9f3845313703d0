/**
 * Reading SpiceDB's relationship syntax in the browser, to show pasted lines as rows before
 * anything is written. It is a preview only: the server parses every line again and SpiceDB
 * judges it against the schema.
 */
export interface ParsedLine {
  line: number;
  text: string;
  resource?: string;
  relation?: string;
  subject?: string;
  caveat?: string;
  expiration?: string;
  error?: string;
}

const ID = "[a-zA-Z0-9/_|\\-=+]{1,1024}|\\*";
const TYPE = "[a-z][a-z0-9_]{1,62}[a-z0-9](?:/[a-z][a-z0-9_]{1,62}[a-z0-9])*";
const REL = "[a-z][a-z0-9_]{1,62}[a-z0-9]";
const LINE = new RegExp(
  `^(${TYPE}:(?:${ID}))#(${REL})@(${TYPE}:(?:${ID})(?:#(?:${REL}|\\.\\.\\.))?)(\\[[^\\]]*\\])?$`,
);

export function parseRelationshipLines(text: string): ParsedLine[] {
  return text
    .split(/\r?\n/)
    .map((raw, index) => ({ raw: raw.trim(), line: index + 1 }))
    .filter(({ raw }) => raw !== "" && !raw.startsWith("//"))
    .map(({ raw, line }) => {
      const match = LINE.exec(raw);
      if (!match)
        return {
          line,
          text: raw,
          error: "expected type:id#relation@type:id[#relation][caveat or expiration]",
        };
      const trait = match[4]?.slice(1, -1).trim();
      const parsed: ParsedLine = {
        line,
        text: raw,
        resource: match[1] as string,
        relation: match[2] as string,
        subject: match[3] as string,
      };
      if (trait?.startsWith("expiration:")) parsed.expiration = trait.slice(11).trim();
      else if (trait) parsed.caveat = trait;
      return parsed;
    });
}
