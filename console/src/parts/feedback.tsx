import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { isSlow, on, type Problem } from "../api.js";

/** A problem from the API, as the person can act on it: its detail, code and request id. */
export function ProblemNote({
  problem,
  context,
}: {
  problem: Problem | undefined;
  context?: string;
}) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <strong>{context ?? "That did not work."}</strong> {problem.detail}
      <span class="problem-meta">
        {" "}
        ({problem.code}
        {problem.requestId ? `, request ${problem.requestId}` : ""})
      </span>
    </div>
  );
}

export function Done({ message }: { message: string | undefined }) {
  return message ? (
    <p class="done" role="status">
      {message}
    </p>
  ) : null;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Said while any request has been waiting longer than a moment: usually the engine. */
export function SlowNotice() {
  const [slow, setSlow] = useState(isSlow());
  useEffect(() => on("slow", () => setSlow(isSlow())), []);
  return (
    <div class="slow" role="status" aria-live="polite">
      {slow
        ? "Still waiting for the server; the authorization engine may be slow or restarting. Nothing is lost by waiting."
        : ""}
    </div>
  );
}

/** Previous / next over cursor pages: the cursors seen so far are kept to go back. */
/** First / Previous / Next over a list the API pages with cursors (useCursors keeps them). */
export function Pager({
  label,
  cursors,
  nextCursor,
}: {
  label: string;
  cursors: Cursors;
  nextCursor: string | undefined;
}) {
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={cursors.first} disabled={cursors.page === 0}>
        First
      </button>
      <button type="button" onClick={cursors.previous} disabled={cursors.page === 0}>
        Previous
      </button>
      <span>Page {cursors.page + 1}</span>
      <button type="button" onClick={() => cursors.next(nextCursor)} disabled={!nextCursor}>
        Next
      </button>
    </nav>
  );
}

export type Cursors = ReturnType<typeof useCursors>;

export function useCursors() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  return {
    cursor: cursors[page],
    page,
    first: () => setCursors([undefined]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    next: (cursor: string | undefined) => cursor && setCursors((c) => [...c, cursor]),
  };
}

export function Answer({ permissionship }: { permissionship: string }) {
  const text =
    permissionship === "has_permission"
      ? "Allowed"
      : permissionship === "conditional"
        ? "Conditional"
        : "Denied";
  return <span class={`answer answer-${permissionship}`}>{text}</span>;
}

/** A secret or link shown once, with a button that copies it. */
export function CopyField({ label, value, note }: { label: string; value: string; note?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="copy-field">
      <label>
        {label}
        <input type="text" readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        Copy
      </button>
      <span role="status">{copied ? "Copied." : ""}</span>
      {note ? <p class="hint">{note}</p> : null}
    </div>
  );
}

export const when = (iso: string) => new Date(iso).toLocaleString();
