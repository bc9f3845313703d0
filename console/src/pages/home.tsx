import { useState } from "preact/hooks";
import { api } from "../api.js";
import { useApp } from "../parts/app-state.js";
import { Empty, ProblemNote } from "../parts/feedback.js";
import { useAction } from "../parts/load.js";

/** The person's tenants (switch without signing in again) and a form to create one. */
export function HomePage() {
  const state = useApp();
  const { session, tenant } = state;
  const [name, setName] = useState("");
  const create = useAction();
  const switching = useAction();
  return (
    <section>
      <h1>Your tenants</h1>
      {tenant ? (
        <p>
          Active tenant: <strong>{tenant.name}</strong>, where your account is{" "}
          <strong>{tenant.abilities.roles.join(", ") || "without a role"}</strong>.
        </p>
      ) : session.accounts.length > 0 ? (
        <p class="notice">No tenant is active. Switch to one below, or create one.</p>
      ) : null}
      <ProblemNote problem={switching.problem} context="Could not switch." />
      {session.accounts.length === 0 ? (
        <Empty>You belong to no tenant yet. Create one, or open an invitation link.</Empty>
      ) : (
        <table>
          <caption class="sr-only">Tenants you belong to</caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Your role</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {session.accounts.map((a) => (
              <tr key={a.id}>
                <td>
                  {a.tenant.name} <span class="id">{a.tenant.id}</span>
                </td>
                <td>{a.roles.join(", ")}</td>
                <td>
                  {a.tenant.id === tenant?.id ? (
                    <span class="badge">Active</span>
                  ) : (
                    <button
                      type="button"
                      disabled={switching.busy || Boolean(session.viewAs)}
                      onClick={() =>
                        void switching.run(async () => {
                          await api("PUT", "/v1/session/active-tenant", { tenantId: a.tenant.id });
                          await state.refresh();
                        })
                      }
                    >
                      Switch to {a.tenant.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Create a tenant</h2>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run(async () => {
            await api("POST", "/v1/tenants", { name: name.trim() });
            setName("");
            await state.refresh();
          });
        }}
      >
        <label>
          Name
          <input
            type="text"
            required
            maxLength={200}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={create.busy || !name.trim()}>
          Create tenant
        </button>
      </form>
      <p class="hint">You become its owner, and it becomes your active tenant.</p>
      <ProblemNote problem={create.problem} context="Could not create the tenant." />
    </section>
  );
}
