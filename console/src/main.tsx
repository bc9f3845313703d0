import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, on, type Problem, viewAs } from "./api.js";
import { AuthPage } from "./pages/auth.js";
import { InvitePage } from "./pages/invite.js";
import { AppContext, type AppState } from "./parts/app-state.js";
import { Loading, ProblemNote, SlowNotice } from "./parts/feedback.js";
import { asProblem } from "./parts/load.js";
import { useRoute } from "./parts/route.js";
import { Shell } from "./parts/shell.js";
import type { Abilities, SessionInfo, TenancyPowers } from "./types.js";

type Loaded =
  | { kind: "loading" }
  | { kind: "anonymous" }
  | { kind: "failed"; problem: Problem }
  | { kind: "signedIn"; state: Omit<AppState, "refresh"> };

async function loadState(): Promise<Loaded> {
  let session: SessionInfo;
  try {
    session = await api<SessionInfo>("GET", "/v1/session");
  } catch (error) {
    const problem = asProblem(error);
    if (problem.status === 401) return { kind: "anonymous" };
    // A view-as that ended elsewhere: drop it and look again as oneself.
    if (viewAs.get() && problem.status === 403) {
      viewAs.set(null);
      return loadState();
    }
    return { kind: "failed", problem };
  }
  const tenancy = await api<{
    roles: string[];
    customRoles: { grants: string[] } | null;
    permissions: TenancyPowers;
  }>("GET", "/v1/tenancy");
  const active = session.activeAccount;
  const account = active && session.accounts.find((a) => a.tenant.id === active.tenantId);
  const abilities =
    active && account
      ? await api<Abilities>("GET", `/v1/tenants/${active.tenantId}/permissions`)
      : undefined;
  return {
    kind: "signedIn",
    state: {
      session,
      membershipRoles: tenancy.roles,
      customRoleGrants: tenancy.customRoles?.grants,
      powers: tenancy.permissions,
      tenant:
        account && abilities
          ? { id: account.tenant.id, name: account.tenant.name, abilities }
          : undefined,
    },
  };
}

function App() {
  const route = useRoute();
  const [loaded, setLoaded] = useState<Loaded>({ kind: "loading" });
  const refresh = useCallback(async () => {
    setLoaded(
      await loadState().catch((error): Loaded => ({ kind: "failed", problem: asProblem(error) })),
    );
  }, []);
  useEffect(() => {
    void refresh();
    // Any 401 (a session ended elsewhere, signed out everywhere): back to signing in.
    return on("signedOut", () => setLoaded({ kind: "anonymous" }));
  }, [refresh]);

  if (loaded.kind === "loading")
    return (
      <main id="main" class="centered">
        <Loading what="the console" />
        <SlowNotice />
      </main>
    );
  if (loaded.kind === "failed")
    return (
      <main id="main" class="centered">
        <h1>tenantgate</h1>
        <ProblemNote problem={loaded.problem} context="The console could not load." />
        <button type="button" onClick={() => void refresh()}>
          Try again
        </button>
      </main>
    );
  if (loaded.kind === "anonymous")
    return route.page === "invite" && route.invitationToken ? (
      <InvitePage token={route.invitationToken} signedIn={false} onSignedIn={refresh} />
    ) : (
      <AuthPage mode={route.page === "signup" ? "signup" : "signin"} onSignedIn={refresh} />
    );
  return (
    <AppContext.Provider value={{ ...loaded.state, refresh }}>
      <Shell route={route} />
    </AppContext.Provider>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
