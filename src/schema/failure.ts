/** A place in a file the user wrote: 1-based line and column, as editors count them. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One thing that does not hold, reported at the entry that states it. */
export interface Failure {
  at: SourcePosition;
  message: string;
}

/** `FILE:LINE:COL: message`, the form editors and CI annotations link to. */
export function formatFailure({ at, message }: Failure): string {
  return `${at.file}:${at.line}:${at.column}: ${message}`;
}
