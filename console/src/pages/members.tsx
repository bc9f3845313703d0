import { useState } from "preact/hooks";
import { api } from "../api.js";
import { type AppState, can, canManageRole, useApp } from "../parts/app-state.js";
import { Choice, Options } from "../parts/choice.js";
import { CopyField, Done, Empty, Loading, ProblemNote, when } from "../parts/feedback.js";
import { useAction, useLoad } from "../parts/load.js";
import type { Invitation, Member } from "../types.js";
import { BulkInvite } from "./bulk-invite.js";

export const invitationLink = (token: string) => `${location.origin}/invite/${token}`;

/** The roles this person may give (each role names the permission that gives it). */
export function grantableRoles(state: AppState): string[] {
  return state.membershipRoles.filter((r) => canManageRole(state, r));
}

function MemberRow({
  member,
  tenantId,
  ownersLeft,
  mayManage,
  roles,
  onChanged,
}: {
  member: Member;
  tenantId: string;
  ownersLeft: number;
  mayManage: boolean;
  roles: string[];
  onChanged: () => void;
}) {
  const state = useApp();
  const top = state.membershipRoles[0];
  const [role, setRole] = useState(member.roles[0] ?? "");
  const action = useAction();
  const lastOwner = top !== undefined && member.roles.includes(top) && ownersLeft <= 1;
  const mayTouch = mayManage && member.roles.every((r) => canManageRole(state, r));
  const label = member.name ? `${member.name} (${member.email})` : member.email;
  return (
    <tr>
      <td>
        {label}
        {member.accountId === state.tenant?.abilities.accountId ? (
          <span class="badge">you</span>
        ) : null}
      </td>
      <td>
        {mayTouch && !lastOwner ? (
          <form
            class="inline tight"
            onSubmit={(e) => {
              e.preventDefault();
              void action.run(async () => {
                await api("PUT", `/v1/tenants/${tenantId}/members/${member.accountId}`, { role });
                onChanged();
              });
            }}
          >
            <Choice
              label={<span class="sr-only">Role of {member.email}</span>}
              value={role}
              onChange={(e) => setRole(e.currentTarget.value)}
            >
              <Options names={[...new Set([...member.roles, ...roles])]} />
            </Choice>
            <button type="submit" disabled={action.busy || member.roles.includes(role)}>
              Change role
            </button>
          </form>
        ) : (
          member.roles.join(", ")
        )}
        {lastOwner ? (
          <p class="hint">
            Last {top}: make someone else {top} before changing or removing.
          </p>
        ) : null}
      </td>
      <td>
        <span class="narrow-only">Member since </span>
        {when(member.since)}
      </td>
      <td>
        {mayTouch ? (
          <button
            type="button"
            class="danger"
            disabled={action.busy || lastOwner}
            onClick={() => {
              if (!confirm(`Remove ${member.email} from this tenant? Their access ends at once.`))
                return;
              void action.run(async () => {
                await api("DELETE", `/v1/tenants/${tenantId}/members/${member.accountId}`);
                onChanged();
              });
            }}
          >
            Remove<span class="sr-only"> {member.email}</span>
          </button>
        ) : null}
        <ProblemNote problem={action.problem} />
      </td>
    </tr>
  );
}

function InviteForm({ tenantId, onInvited }: { tenantId: string; onInvited: () => void }) {
  const state = useApp();
  const roles = grantableRoles(state);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState(roles.at(-1) ?? "");
  const [link, setLink] = useState<string | undefined>();
  const action = useAction();
  return (
    <>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const { invitation } = await api<{ invitation: { token: string } }>(
              "POST",
              `/v1/tenants/${tenantId}/invitations`,
              { email: email.trim(), role },
            );
            setLink(invitationLink(invitation.token));
            setEmail("");
            onInvited();
          });
        }}
      >
        <label>
          Email
          <input
            type="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <Choice label={"Role"} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          <Options names={roles} />
        </Choice>
        <button type="submit" class="primary" disabled={action.busy}>
          Invite
        </button>
      </form>
      <ProblemNote problem={action.problem} context="Could not invite." />
      {link ? (
        <CopyField
          label="Invitation link"
          value={link}
          note="tenantgate sends no email: send this link to the person yourself. It is shown only now."
        />
      ) : null}
    </>
  );
}

function PendingInvitations({ tenantId, version }: { tenantId: string; version: number }) {
  const pending = useLoad(
    () => api<{ invitations: Invitation[] }>("GET", `/v1/tenants/${tenantId}/invitations`),
    [tenantId, version],
  );
  const action = useAction();
  if (pending.loading && !pending.data) return <Loading what="invitations" />;
  if (pending.error) return <ProblemNote problem={pending.error} />;
  const invitations = pending.data?.invitations ?? [];
  return (
    <>
      <ProblemNote problem={action.problem} context="Could not revoke." />
      <Done message={action.done} />
      {invitations.length === 0 ? (
        <Empty>No invitation is pending.</Empty>
      ) : (
        <table>
          <caption class="sr-only">Pending invitations</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td>{i.role}</td>
                <td>{when(i.expiresAt)}</td>
                <td>
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() =>
                      void action.run(async () => {
                        await api("DELETE", `/v1/tenants/${tenantId}/invitations/${i.id}`);
                        pending.reload();
                      }, `Revoked the invitation of ${i.email}.`)
                    }
                  >
                    Revoke<span class="sr-only"> the invitation of {i.email}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function MembersPage() {
  const state = useApp();
  const tenant = state.tenant;
  const [version, setVersion] = useState(0);
  const members = useLoad(
    () => api<{ members: Member[] }>("GET", `/v1/tenants/${tenant?.id}/members`),
    [tenant?.id, version],
  );
  if (!tenant) return null;
  const mayManage = can(state, "invite");
  const top = state.membershipRoles[0] ?? "";
  const list = members.data?.members ?? [];
  const owners = list.filter((m) => m.roles.includes(top)).length;
  const changed = () => setVersion((v) => v + 1);
  return (
    <section>
      <h1>Members of {tenant.name}</h1>
      {members.loading && !members.data ? <Loading what="members" /> : null}
      <ProblemNote problem={members.error} context="Could not list the members." />
      {members.data && list.length === 0 ? <Empty>No members.</Empty> : null}
      {list.length > 0 ? (
        <table>
          <caption class="sr-only">Members</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Member since</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((m) => (
              <MemberRow
                key={`${m.accountId}-${m.roles.join()}`}
                member={m}
                tenantId={tenant.id}
                ownersLeft={owners}
                mayManage={mayManage}
                roles={grantableRoles(state)}
                onChanged={changed}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      {mayManage ? (
        <>
          <h2>Invite someone</h2>
          <InviteForm tenantId={tenant.id} onInvited={changed} />
          <h2>Pending invitations</h2>
          <PendingInvitations tenantId={tenant.id} version={version} />
          <h2>Invite many</h2>
          <BulkInvite tenantId={tenant.id} onInvited={changed} />
        </>
      ) : (
        <p class="hint">Only those who manage members can invite, change roles or remove.</p>
      )}
    </section>
  );
}
