import { useState } from "preact/hooks";
import { api } from "../api.js";
import { can, useApp } from "../parts/app-state.js";
import { Choice } from "../parts/choice.js";
import { Empty, Loading, ProblemNote } from "../parts/feedback.js";
import { useAction, useLoad } from "../parts/load.js";
import type { Member, Role } from "../types.js";

function GrantBoxes({
  grants,
  chosen,
  onChange,
  legend,
}: {
  grants: string[];
  chosen: string[];
  onChange: (next: string[]) => void;
  legend: string;
}) {
  return (
    <fieldset class="grants">
      <legend>{legend}</legend>
      {grants.map((g) => (
        <label key={g} class="check">
          <input
            type="checkbox"
            checked={chosen.includes(g)}
            onChange={(e) =>
              onChange(e.currentTarget.checked ? [...chosen, g] : chosen.filter((c) => c !== g))
            }
          />
          {g}
        </label>
      ))}
    </fieldset>
  );
}

function RoleCard({
  role,
  tenantId,
  grants,
  members,
  mayManage,
  onChanged,
}: {
  role: Role;
  tenantId: string;
  grants: string[];
  members: Member[];
  mayManage: boolean;
  onChanged: () => void;
}) {
  const [chosen, setChosen] = useState(role.permissions);
  const [assignee, setAssignee] = useState("");
  const action = useAction();
  const label = (accountId: string) =>
    members.find((m) => m.accountId === accountId)?.email ?? accountId;
  const unassigned = members.filter((m) => !role.members.includes(m.accountId));
  const base = `/v1/tenants/${tenantId}/roles/${role.id}`;
  return (
    <article class="card" aria-labelledby={`role-${role.id}`}>
      <h3 id={`role-${role.id}`}>{role.name}</h3>
      {mayManage ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              await api("PUT", base, { permissions: chosen });
              onChanged();
            });
          }}
        >
          <GrantBoxes grants={grants} chosen={chosen} onChange={setChosen} legend="Grants" />
          <button type="submit" disabled={action.busy}>
            Save grants
          </button>
        </form>
      ) : (
        <p>Grants: {role.permissions.join(", ") || "none"}</p>
      )}
      <h4>Assigned to</h4>
      {role.members.length === 0 ? (
        <Empty>Nobody yet.</Empty>
      ) : (
        <ul class="chips">
          {role.members.map((accountId) => (
            <li key={accountId}>
              {label(accountId)}
              {mayManage ? (
                <button
                  type="button"
                  class="link"
                  disabled={action.busy}
                  onClick={() =>
                    void action.run(async () => {
                      await api("DELETE", `${base}/members/${accountId}`);
                      onChanged();
                    })
                  }
                >
                  Unassign<span class="sr-only"> {label(accountId)}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {mayManage ? (
        <div class="row-actions">
          <form
            class="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void action.run(async () => {
                await api("PUT", `${base}/members/${assignee}`);
                setAssignee("");
                onChanged();
              });
            }}
          >
            <Choice
              label={"Assign to"}
              value={assignee}
              onChange={(e) => setAssignee(e.currentTarget.value)}
            >
              <option value="">Choose a member…</option>
              {unassigned.map((m) => (
                <option key={m.accountId} value={m.accountId}>
                  {m.email}
                </option>
              ))}
            </Choice>
            <button type="submit" disabled={action.busy || !assignee}>
              Assign
            </button>
          </form>
          <button
            type="button"
            class="danger"
            disabled={action.busy}
            onClick={() => {
              if (!confirm(`Delete the role ${role.name}? Its grants are revoked at once.`)) return;
              void action.run(async () => {
                await api("DELETE", base);
                onChanged();
              });
            }}
          >
            Delete role<span class="sr-only"> {role.name}</span>
          </button>
        </div>
      ) : null}
      <ProblemNote problem={action.problem} />
    </article>
  );
}

export function RolesPage() {
  const state = useApp();
  const tenant = state.tenant;
  const [version, setVersion] = useState(0);
  const roles = useLoad(
    () => api<{ roles: Role[] }>("GET", `/v1/tenants/${tenant?.id}/roles`),
    [tenant?.id, version],
  );
  const members = useLoad(
    () => api<{ members: Member[] }>("GET", `/v1/tenants/${tenant?.id}/members`),
    [tenant?.id, version],
  );
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const create = useAction();
  if (!tenant) return null;
  const mayManage = can(state, "manageRoles");
  const grants = state.customRoleGrants ?? [];
  const changed = () => setVersion((v) => v + 1);
  return (
    <section>
      <h1>Custom roles of {tenant.name}</h1>
      <p class="hint">
        A role carries grants for every object of the tenant, and goes to members assigned to it.
      </p>
      {roles.loading && !roles.data ? <Loading what="roles" /> : null}
      <ProblemNote problem={roles.error} context="Could not load the roles." />
      {roles.data && roles.data.roles.length === 0 ? <Empty>No custom role yet.</Empty> : null}
      <div class="cards">
        {roles.data?.roles.map((role) => (
          <RoleCard
            key={`${role.id}-${role.permissions.join()}-${role.members.join()}`}
            role={role}
            tenantId={tenant.id}
            grants={grants}
            members={members.data?.members ?? []}
            mayManage={mayManage}
            onChanged={changed}
          />
        ))}
      </div>
      {mayManage ? (
        <>
          <h2>Create a role</h2>
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void create.run(async () => {
                await api("POST", `/v1/tenants/${tenant.id}/roles`, {
                  name: name.trim(),
                  permissions: chosen,
                });
                setName("");
                setChosen([]);
                changed();
              });
            }}
          >
            <label>
              Role name
              <input
                type="text"
                required
                maxLength={100}
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
              />
            </label>
            <GrantBoxes grants={grants} chosen={chosen} onChange={setChosen} legend="Grants" />
            <button type="submit" class="primary" disabled={create.busy || !name.trim()}>
              Create role
            </button>
          </form>
          <ProblemNote problem={create.problem} context="Could not create the role." />
        </>
      ) : null}
    </section>
  );
}
