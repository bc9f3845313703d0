import { useState } from "preact/hooks";
import { api } from "../api.js";
import { can, useApp } from "../parts/app-state.js";
import { Choice, Options } from "../parts/choice.js";
import { ExplainTree } from "../parts/explain-tree.js";
import { Answer, Done, ProblemNote } from "../parts/feedback.js";
import { useAction, useLoad } from "../parts/load.js";
import { useSchema } from "../parts/schema-cache.js";
import { addWatch } from "../parts/watches.js";
import type { CheckAnswer, Member } from "../types.js";

/**
 * "Can account X do P on R?" in the active tenant. Anybody may ask about their own account;
 * the tenant's managers about any of its accounts (the API decides, here and for each watch).
 */
export function AskPage() {
  const state = useApp();
  const { tenant, session } = state;
  const schema = useSchema();
  const mayAskForOthers = can(state, "askAboutMembers");
  const members = useLoad(
    () =>
      mayAskForOthers
        ? api<{ members: Member[] }>("GET", `/v1/tenants/${tenant?.id}/members`)
        : Promise.resolve({ members: [] as Member[] }),
    [tenant?.id, mayAskForOthers],
  );
  const own = tenant?.abilities.accountId ?? "";
  const [accountId, setAccountId] = useState(own);
  const [type, setType] = useState("project");
  const [objectId, setObjectId] = useState("");
  const [permission, setPermission] = useState("");
  const [context, setContext] = useState("");
  const [answer, setAnswer] = useState<
    | {
        accountId: string;
        label: string;
        resource: string;
        permission: string;
        result: CheckAnswer;
      }
    | undefined
  >();
  const ask = useAction();
  const saved = useAction();
  if (!tenant) return null;
  const definitions = schema.data?.definitions ?? [];
  const permissions = definitions.find((d) => d.name === type)?.permissions ?? [];
  const accountLabel = (id: string) =>
    id === own
      ? `you (${session.user.email})`
      : (members.data?.members.find((m) => m.accountId === id)?.email ?? id);
  return (
    <section>
      <h1>Ask a question</h1>
      <p class="hint">Answered by SpiceDB on the tenant's live data, as the API answers it.</p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          setAnswer(undefined);
          void ask.run(async () => {
            let parsedContext: Record<string, unknown> | undefined;
            if (context.trim()) {
              try {
                parsedContext = JSON.parse(context) as Record<string, unknown>;
              } catch {
                throw new Error('The caveat context is not JSON, e.g. {"client_ip": "10.0.0.1"}.');
              }
            }
            const resource = `${type}:${objectId.trim()}`;
            const result = await api<CheckAnswer>("POST", `/v1/tenants/${tenant.id}/check`, {
              ...(accountId && accountId !== own ? { accountId } : {}),
              resource,
              permission,
              explain: true,
              ...(parsedContext ? { context: parsedContext } : {}),
            });
            setAnswer({
              accountId: accountId || own,
              label: accountLabel(accountId || own),
              resource,
              permission,
              result,
            });
          });
        }}
      >
        <Choice
          label={"Account"}
          value={accountId}
          onChange={(e) => setAccountId(e.currentTarget.value)}
        >
          <option value={own}>You ({session.user.email})</option>
          {members.data?.members
            .filter((m) => m.accountId !== own)
            .map((m) => (
              <option key={m.accountId} value={m.accountId}>
                {m.email}
              </option>
            ))}
        </Choice>
        {mayAskForOthers ? null : (
          <p class="hint">You can ask about your own account; managers can ask about anyone's.</p>
        )}
        <div class="inline">
          <Choice
            label={"Type"}
            value={type}
            onChange={(e) => {
              setType(e.currentTarget.value);
              setPermission("");
            }}
          >
            <Options names={definitions.map((d) => d.name)} />
          </Choice>
          <label>
            Object id
            <input
              type="text"
              required
              value={objectId}
              onInput={(e) => setObjectId(e.currentTarget.value)}
            />
          </label>
          <Choice
            label={"Permission"}
            required
            value={permission}
            onChange={(e) => setPermission(e.currentTarget.value)}
          >
            <option value="">Choose…</option>
            <Options names={permissions.map((p) => p.name)} />
          </Choice>
        </div>
        <details>
          <summary>Caveat context (optional)</summary>
          <label>
            JSON object
            <textarea
              rows={2}
              class="mono"
              value={context}
              placeholder='{"client_ip": "10.1.2.3"}'
              onInput={(e) => setContext(e.currentTarget.value)}
            />
          </label>
        </details>
        <button
          type="submit"
          class="primary"
          disabled={ask.busy || !permission || !objectId.trim()}
        >
          Ask
        </button>
      </form>
      <ProblemNote problem={ask.problem} context="No answer." />
      {answer ? (
        <div class="result" aria-live="polite">
          <h2>
            <Answer permissionship={answer.result.permissionship} />{" "}
            <span class="asked">
              {answer.label} · {answer.permission} · {answer.resource}
            </span>
          </h2>
          {answer.result.missingContext ? (
            <p>Needs caveat context: {answer.result.missingContext.join(", ")}.</p>
          ) : null}
          {answer.result.explain ? (
            <ExplainTree
              root={answer.result.explain}
              schema={schema.data}
              names={
                new Map([
                  [`tenant:${tenant.id}`, `tenant ${tenant.name}`],
                  [`account:${own}`, session.user.email],
                  ...(members.data?.members ?? []).map(
                    (m) => [`account:${m.accountId}`, m.email] as [string, string],
                  ),
                ])
              }
            />
          ) : null}
          <button
            type="button"
            onClick={() =>
              void saved.run(async () => {
                addWatch(session.user.id, tenant.id, {
                  accountId: answer.accountId,
                  accountLabel: answer.label,
                  permission: answer.permission,
                  resource: answer.resource,
                });
              }, "Saved: it is asked again after every change you make.")
            }
          >
            Watch this question
          </button>
          <Done message={saved.done} />
        </div>
      ) : null}
    </section>
  );
}
