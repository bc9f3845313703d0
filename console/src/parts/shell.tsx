import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, viewAs } from "../api.js";
import { AccountPage } from "../pages/account.js";
import { AskPage } from "../pages/ask.js";
import { AuditPage } from "../pages/audit.js";
import { HomePage } from "../pages/home.js";
import { InstancePage } from "../pages/instance.js";
import { InvitePage } from "../pages/invite.js";
import { MembersPage } from "../pages/members.js";
import { RelationshipsPage } from "../pages/relationships.js";
import { RolesPage } from "../pages/roles.js";
import { SchemaPage } from "../pages/schema.js";
import { WatchesPage } from "../pages/watches.js";
import { type AppState, can, isOperator, useApp } from "./app-state.js";
import { Choice } from "./choice.js";
import { ProblemNote, SlowNotice } from "./feedback.js";
import { useAction } from "./load.js";
import type { Route } from "./route.js";
import { WatchPanel } from "./watch-panel.js";

interface PageEntry {
  title: string;
  render: () => JSX.Element;
  /** Shown in the navigation for this person in this tenant. */
  shown: (state: AppState) => boolean;
}

const inTenant = (state: AppState) => state.tenant !== undefined;

const PAGES: Record<string, PageEntry> = {
  home: { title: "Tenants", render: () => <HomePage />, shown: () => true },
  members: {
    title: "Members",
    render: () => <MembersPage />,
    shown: (s) => can(s, "viewMembers"),
  },
  roles: {
    title: "Roles",
    render: () => <RolesPage />,
    shown: (s) => can(s, "viewMembers") && s.customRoleGrants !== undefined,
  },
  relationships: {
    title: "Relationships",
    render: () => <RelationshipsPage />,
    shown: (s) => can(s, "linkObjects"),
  },
  ask: { title: "Ask a question", render: () => <AskPage />, shown: inTenant },
  watches: { title: "Watches", render: () => <WatchesPage />, shown: inTenant },
  audit: { title: "Audit log", render: () => <AuditPage />, shown: (s) => can(s, "readAudit") },
  schema: { title: "Schema", render: () => <SchemaPage />, shown: () => true },
  account: { title: "Your account", render: () => <AccountPage />, shown: () => true },
  instance: {
    title: "Instance",
    render: () => <InstancePage />,
    shown: isOperator,
  },
};

function TenantSwitcher() {
  const state = useApp();
  const { session } = state;
  const [choice, setChoice] = useState(state.tenant?.id ?? "");
  const action = useAction();
  useEffect(() => setChoice(state.tenant?.id ?? ""), [state.tenant?.id]);
  if (session.accounts.length === 0) return <span class="tenant-none">No tenant yet</span>;
  return (
    <form
      class="switcher"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          await api("PUT", "/v1/session/active-tenant", { tenantId: choice });
          await state.refresh();
        });
      }}
    >
      <Choice label={"Tenant"} value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
        {state.tenant ? null : <option value="">(none active)</option>}
        {session.accounts.map((a) => (
          <option key={a.id} value={a.tenant.id}>
            {a.tenant.name}
            {a.tenant.id === state.tenant?.id ? " (active)" : ""}
          </option>
        ))}
      </Choice>
      <button type="submit" disabled={action.busy || !choice || choice === state.tenant?.id}>
        Switch
      </button>
      <ProblemNote problem={action.problem} context="Could not switch." />
    </form>
  );
}

function ViewAsBanner() {
  const { session } = useApp();
  const action = useAction();
  if (!session.viewAs) return null;
  const tenant = session.accounts.find((a) => a.tenant.id === session.viewAs?.tenantId)?.tenant;
  return (
    <section class="view-as" aria-label="Viewing as another account">
      <p>
        <strong>Viewing as {session.user.email}</strong>
        {tenant ? ` in ${tenant.name}` : ""}, read-only. Reason: “{session.viewAs.reason}”. Nothing
        can be changed while viewing; this look is recorded in the tenant's audit log.
      </p>
      <button
        type="button"
        onClick={() =>
          void action.run(async () => {
            const id = session.viewAs?.id;
            if (id) await api("DELETE", `/v1/operator/view-as/${id}`, undefined, { asSelf: true });
            viewAs.set(null);
            location.hash = "#/instance";
            location.reload();
          })
        }
      >
        Stop viewing
      </button>
      <ProblemNote problem={action.problem} />
    </section>
  );
}

export function Shell({ route }: { route: Route }) {
  const state = useApp();
  const signOut = useAction();
  const heading = useRef<HTMLDivElement>(null);
  // Signed in already: the sign-in and sign-up addresses mean the person's tenants.
  const page = route.page === "signin" || route.page === "signup" ? "home" : route.page;
  const entry = page === "invite" ? undefined : PAGES[page];
  const title = route.page === "invite" ? "Invitation" : (entry?.title ?? "Not found");
  // Beside every page of a tenant but the watches' own, which asks them itself.
  const watchPanel = state.tenant !== undefined && page !== "watches";
  const firstPage = useRef(true);
  useEffect(() => {
    document.title = `${title} · tenantgate`;
    // After a move to another page, focus goes to its content (so screen readers announce it);
    // on the first page it stays at the top, where the skip link is.
    if (firstPage.current) firstPage.current = false;
    else heading.current?.focus();
  }, [title]);
  const visible = Object.entries(PAGES).filter(([, p]) => p.shown(state));
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <ViewAsBanner />
      <header class="top">
        <a class="brand" href="#/">
          tenantgate
        </a>
        <TenantSwitcher />
        <div class="who">
          <span>{state.session.user.email}</span>
          <button
            type="button"
            disabled={Boolean(state.session.viewAs)}
            onClick={() =>
              void signOut.run(async () => {
                await api("POST", "/v1/auth/logout");
                location.href = "/";
              })
            }
          >
            Sign out
          </button>
        </div>
      </header>
      <SlowNotice />
      <div class={watchPanel ? "layout with-watches" : "layout"}>
        <nav class="side" aria-label="Console">
          <ul>
            {visible.map(([key, entry]) => (
              <li key={key}>
                <a href={`#/${key}`} aria-current={page === key ? "page" : undefined}>
                  {entry.title}
                </a>
              </li>
            ))}
            <li>
              <a href="/docs">API reference</a>
            </li>
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <div ref={heading} tabIndex={-1} class="page-focus">
            <ProblemNote problem={signOut.problem} />
            {route.page === "invite" && route.invitationToken ? (
              <InvitePage token={route.invitationToken} signedIn onSignedIn={state.refresh} />
            ) : entry?.shown(state) ? (
              // Keyed by tenant: switching starts every page afresh.
              <div key={state.tenant?.id ?? "none"}>{entry.render()}</div>
            ) : (
              <section>
                <h1>{entry ? entry.title : "Not found"}</h1>
                <p>
                  {entry
                    ? state.tenant
                      ? "Your account in this tenant may not see this page."
                      : "No tenant is active: this page belongs to one. If you were in a tenant, your membership there has ended."
                    : "There is no such page."}{" "}
                  <a href="#/">Go to your tenants</a>.
                </p>
              </section>
            )}
          </div>
        </main>
        {watchPanel ? <WatchPanel /> : null}
      </div>
    </>
  );
}
