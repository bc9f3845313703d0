import { useState } from "preact/hooks";
import { api } from "../api.js";
import { useApp } from "../parts/app-state.js";
import { Choice, Options } from "../parts/choice.js";
import { ProblemNote } from "../parts/feedback.js";
import { useAction } from "../parts/load.js";
import { grantableRoles, invitationLink } from "./members.js";

interface RowResult {
  email: string;
  role: string;
  status: "invited" | "already_member" | "invalid" | "refused";
  detail?: string;
  invitation?: { token: string };
}

const STATUS_TEXT: Record<RowResult["status"], string> = {
  invited: "Invited",
  already_member: "Already a member",
  invalid: "Invalid",
  refused: "Refused",
};

/**
 * `email` or `email,role` per line (a CSV with a header line `email,role` works too); rows
 * without a role take the default. The server answers each row on its own.
 */
function parseInviteList(text: string, defaultRole: string) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !/^email\s*(,|;|$)/i.test(line))
    .map((line) => {
      const [email = "", role] = line
        .split(/[,;\t]/)
        .map((part) => part.trim().replace(/^"|"$/g, ""));
      return { email, role: role || defaultRole };
    });
}

export function BulkInvite({ tenantId, onInvited }: { tenantId: string; onInvited: () => void }) {
  const state = useApp();
  const roles = grantableRoles(state);
  const [text, setText] = useState("");
  const [role, setRole] = useState(roles.at(-1) ?? "");
  const [results, setResults] = useState<RowResult[] | undefined>();
  const action = useAction();
  const rows = parseInviteList(text, role);
  return (
    <>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const answer = await api<{ results: RowResult[] }>(
              "POST",
              `/v1/tenants/${tenantId}/invitations/bulk`,
              { invitations: rows },
            );
            setResults(answer.results);
            onInvited();
          });
        }}
      >
        <label>
          <span>
            Addresses: one per line, <code>email</code> or <code>email,role</code> (CSV welcome)
          </span>
          <textarea rows={5} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <Choice
          label={"Role where a line names none"}
          value={role}
          onChange={(e) => setRole(e.currentTarget.value)}
        >
          <Options names={roles} />
        </Choice>
        <button type="submit" disabled={action.busy || rows.length === 0 || rows.length > 200}>
          Invite {rows.length} {rows.length === 1 ? "person" : "people"}
        </button>
        {rows.length > 200 ? <p class="hint">At most 200 at once.</p> : null}
      </form>
      <ProblemNote problem={action.problem} context="Could not invite." />
      {results ? (
        <table>
          <caption>Result per row</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Result</th>
              <th scope="col">Link or reason</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r, i) => (
              <tr key={`${i}-${r.email}`} class={`row-${r.status}`}>
                <td>{r.email}</td>
                <td>{r.role}</td>
                <td>{STATUS_TEXT[r.status]}</td>
                <td>
                  {r.invitation ? (
                    <code class="wrap">{invitationLink(r.invitation.token)}</code>
                  ) : (
                    r.detail
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
