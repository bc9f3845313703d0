import { describe, expect, test } from "vitest";
import { isScalar, LineCounter, parseDocument } from "yaml";
import { locateInScalar } from "../../src/schema/scalar-position.js";

function locatorFor(source: string) {
  const lineCounter = new LineCounter();
  const node = parseDocument(source, { lineCounter }).get("text", true);
  if (!isScalar(node)) throw new Error("no text scalar");
  return locateInScalar(node, "f.yaml", source, lineCounter);
}

describe("locateInScalar", () => {
  test("a literal block maps line for line, past the indentation", () => {
    const locate = locatorFor("# c\ntext: |\n  one\n\n    two\nafter: 1\n");
    expect(locate(1, 1)).toEqual({ file: "f.yaml", line: 3, column: 3 });
    expect(locate(3, 3)).toEqual({ file: "f.yaml", line: 5, column: 5 });
  });

  test("a literal block with a tab inside the indentation keeps the tab's column", () => {
    const locate = locatorFor("text: |\n  a\n  \tb\n");
    expect(locate(2, 2)).toEqual({ file: "f.yaml", line: 3, column: 4 });
  });

  test("a folded block skips the blank lines that became line breaks", () => {
    const locate = locatorFor("text: >-\n  one\n\n  two\n\n  three\n");
    expect(locate(2, 1)).toEqual({ file: "f.yaml", line: 4, column: 3 });
    expect(locate(3, 2)).toEqual({ file: "f.yaml", line: 6, column: 4 });
  });

  test("a folded block maps each part of a joined line to its own file line", () => {
    // `first\n  second` folds to "first second": column 7 is the start of "second".
    const locate = locatorFor("text: >\n  first\n  second\n");
    expect(locate(1, 1)).toEqual({ file: "f.yaml", line: 2, column: 3 });
    expect(locate(1, 7)).toEqual({ file: "f.yaml", line: 3, column: 3 });
  });

  test("a quoted scalar points at its start", () => {
    const locate = locatorFor('a: 1\ntext: "one\\ntwo"\n');
    expect(locate(2, 2)).toEqual({ file: "f.yaml", line: 2, column: 7 });
  });
});
