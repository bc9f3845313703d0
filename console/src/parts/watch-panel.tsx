import { useCallback, useEffect, useState } from "preact/hooks";
import { api, on, type Problem } from "../api.js";
import type { CheckAnswer } from "../types.js";
import { useApp } from "./app-state.js";
import { Answer } from "./feedback.js";
import { asProblem } from "./load.js";
import { useWatches, type Watch } from "./watches.js";

const NOT_A_MEMBER = new Set(["member_not_found", "not_a_member"]);

type Outcome = { answer: CheckAnswer } | { problem: Problem } | "pending";

/** Re-runs the watches now, and after every change the console writes. */
export function useWatchOutcomes(watches: Watch[], tenantId: string) {
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [runs, setRuns] = useState(0);
  const run = useCallback(() => {
    setRuns((n) => n + 1);
    setOutcomes(Object.fromEntries(watches.map((w) => [w.id, "pending" as const])));
    for (const w of watches) {
      api<CheckAnswer>("POST", `/v1/tenants/${tenantId}/check`, {
        accountId: w.accountId,
        resource: w.resource,
        permission: w.permission,
      }).then(
        (answer) => setOutcomes((o) => ({ ...o, [w.id]: { answer } })),
        (error: unknown) => setOutcomes((o) => ({ ...o, [w.id]: { problem: asProblem(error) } })),
      );
    }
  }, [watches, tenantId]);
  useEffect(() => {
    run();
    return on("change", run);
  }, [run]);
  return { outcomes, run, runs };
}

export function OutcomeBadge({ outcome }: { outcome: Outcome | undefined }) {
  if (!outcome || outcome === "pending") return <span class="answer">Asking…</span>;
  // The API's own word that the account is not (or no longer) a member: it can do nothing here.
  if ("problem" in outcome && NOT_A_MEMBER.has(outcome.problem.code))
    return (
      <>
        <Answer permissionship="no_permission" /> <span class="hint">(not a member)</span>
      </>
    );
  if ("problem" in outcome)
    return (
      <span class="answer answer-error" title={outcome.problem.detail}>
        Error: {outcome.problem.code}
      </span>
    );
  return <Answer permissionship={outcome.answer.permissionship} />;
}

/** The watches beside every page, so the effect of an edit shows at once. */
export function WatchPanel() {
  const { session, tenant } = useApp();
  const watches = useWatches(session.user.id, tenant?.id ?? "");
  const { outcomes } = useWatchOutcomes(watches, tenant?.id ?? "");
  return (
    <aside class="watch-panel" aria-label="Watches">
      <h2>Watches</h2>
      {watches.length === 0 ? (
        <p class="hint">
          No watches. Save a question from <a href="#/ask">Ask a question</a> to see its answer here
          after every change.
        </p>
      ) : (
        <ul>
          {watches.map((w) => (
            <li key={w.id}>
              <OutcomeBadge outcome={outcomes[w.id]} />{" "}
              <span>
                {w.accountLabel} · {w.permission} · {w.resource}
              </span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
