import { type LineCounter, Scalar } from "yaml";
import type { SourcePosition } from "./failure.js";

/** Maps a 1-based line and column inside a text value to where that character sits in its file. */
export type Locate = (line: number, column: number) => SourcePosition;

/** For a value that is a whole file of its own (a `.zed` schema): positions are the file's. */
export function locateInFile(file: string): Locate {
  return (line, column) => ({ file, line, column });
}

interface Segment {
  /** Index in the value's line where this piece starts. */
  valueOffset: number;
  /** 1-based line in the file, and 0-based index in that line, where the piece starts. */
  line: number;
  index: number;
}

/**
 * Maps positions inside a YAML string value (a schema or a block of relationships) back to the
 * YAML file, so an error SpiceDB reports at "line 6, column 1" of an inline schema points at the
 * right line of the file.
 *
 * Literal blocks (`|`) map line for line, offset by the indentation. Folded blocks (`>`) join
 * adjacent lines with a space and turn a blank line into a line break, so each line of the value
 * is matched to the run of file lines it came from. Flow scalars (quoted, plain) and anything
 * that does not match fall back to the start of the value: a line near the problem beats a wrong
 * line.
 */
export function locateInScalar(
  node: Scalar,
  file: string,
  source: string,
  lineCounter: LineCounter,
): Locate {
  const start = lineCounter.linePos(node.range?.[0] ?? 0);
  const fallback: SourcePosition = { file, line: start.line, column: start.col };
  if (node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED) {
    return () => fallback;
  }

  // The body starts on the line after the `|` or `>` header.
  const bodyOffset = lineCounter.lineStarts[start.line] ?? source.length;
  const bodyLines = source
    .slice(bodyOffset, node.range?.[1] ?? source.length)
    .split("\n")
    .map((line) => line.replace(/\r$/, ""));
  const segmentsByLine = matchLines(String(node.value).split("\n"), bodyLines, start.line + 1);

  return (line, column) => {
    const segments = segmentsByLine[line - 1];
    if (!segments) return fallback;
    const index = column - 1;
    const segment = segments.findLast((s) => s.valueOffset <= index) ?? segments[0];
    if (!segment) return fallback;
    return { file, line: segment.line, column: segment.index + (index - segment.valueOffset) + 1 };
  };
}

function matchLines(valueLines: string[], bodyLines: string[], firstLine: number): Segment[][] {
  const result: Segment[][] = [];
  let next = 0;
  for (const value of valueLines) {
    if (value.trim() === "") {
      while (next < bodyLines.length && bodyLines[next]?.trim() !== "") next++;
      if (next >= bodyLines.length) break;
      result.push([{ valueOffset: 0, line: firstLine + next, index: 0 }]);
      next++;
      continue;
    }
    // A blank file line may have been folded into a line break between two value lines.
    while (next < bodyLines.length && bodyLines[next]?.trim() === "") next++;
    const sourceLine = bodyLines[next];
    if (sourceLine === undefined) break;
    if (sourceLine.endsWith(value)) {
      result.push([
        { valueOffset: 0, line: firstLine + next, index: sourceLine.length - value.length },
      ]);
      next++;
      continue;
    }
    // Folded: the value line is several file lines' content joined by single spaces.
    const segments: Segment[] = [];
    let offset = 0;
    while (next < bodyLines.length && offset < value.length) {
      const text = bodyLines[next] ?? "";
      const content = text.trimStart();
      if (content === "" || !value.startsWith(content, offset)) break;
      segments.push({
        valueOffset: offset,
        line: firstLine + next,
        index: text.length - content.length,
      });
      offset += content.length;
      next++;
      if (value[offset] !== " ") break;
      offset++;
    }
    if (segments.length === 0) break;
    result.push(segments);
  }
  return result;
}
