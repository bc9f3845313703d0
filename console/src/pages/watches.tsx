import { useApp } from "../parts/app-state.js";
import { Empty, ProblemNote } from "../parts/feedback.js";
import { OutcomeBadge, useWatchOutcomes } from "../parts/watch-panel.js";
import { useWatches, writeWatches } from "../parts/watches.js";

/** The saved questions, their answers now, and a way to drop them. */
export function WatchesPage() {
  const { session, tenant } = useApp();
  const watches = useWatches(session.user.id, tenant?.id ?? "");
  const { outcomes, run, runs } = useWatchOutcomes(watches, tenant?.id ?? "");
  if (!tenant) return null;
  return (
    <section>
      <h1>Watches</h1>
      <p class="hint">
        Saved questions, asked again after every change you make in this console (kept in this
        browser, for you and {tenant.name}). Asked {runs} time{runs === 1 ? "" : "s"} so far.
      </p>
      {watches.length === 0 ? (
        <Empty>
          No watches yet. Ask a question on <a href="#/ask">Ask a question</a> and choose “Watch
          this question”.
        </Empty>
      ) : (
        <>
          <table>
            <caption class="sr-only">Watches</caption>
            <thead>
              <tr>
                <th scope="col">Answer</th>
                <th scope="col">Account</th>
                <th scope="col">Permission</th>
                <th scope="col">Resource</th>
                <th scope="col">
                  <span class="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {watches.map((w) => {
                const outcome = outcomes[w.id];
                return (
                  <tr key={w.id}>
                    <td>
                      <OutcomeBadge outcome={outcome} />
                      {outcome && outcome !== "pending" && "problem" in outcome ? (
                        <ProblemNote problem={outcome.problem} />
                      ) : null}
                    </td>
                    <td>{w.accountLabel}</td>
                    <td>{w.permission}</td>
                    <td>
                      <code>{w.resource}</code>
                    </td>
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          writeWatches(
                            session.user.id,
                            tenant.id,
                            watches.filter((x) => x.id !== w.id),
                          )
                        }
                      >
                        Stop watching<span class="sr-only"> {w.resource}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button type="button" onClick={run}>
            Ask all again now
          </button>
        </>
      )}
    </section>
  );
}
