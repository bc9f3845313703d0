import { useState } from "preact/hooks";
import { api } from "../api.js";
import { ProblemNote } from "../parts/feedback.js";
import { useAction } from "../parts/load.js";
import { leaveInvitation } from "../parts/route.js";

/**
 * Signing in or up. With an invitation token, signing up joins the tenant in the same step (the
 * API's sign-up takes `invitationToken`), and signing in is followed by accepting it.
 */
export function AuthForm({
  mode,
  invitationToken,
  onSignedIn,
}: {
  mode: "signin" | "signup";
  invitationToken?: string;
  onSignedIn: () => Promise<void> | void;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const action = useAction();
  const signup = mode === "signup";
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          if (signup) {
            await api("POST", "/v1/auth/signup", {
              email,
              password,
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(invitationToken ? { invitationToken } : {}),
            });
          } else {
            await api("POST", "/v1/auth/login", { email, password });
            if (invitationToken)
              await api("POST", "/v1/invitations/accept", { token: invitationToken });
          }
          if (invitationToken) {
            await onSignedIn();
            leaveInvitation();
          } else {
            // From #/signin or #/signup to the person's tenants.
            location.hash = "#/";
            await onSignedIn();
          }
        });
      }}
    >
      <label>
        Email
        <input
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </label>
      {signup ? (
        <label>
          <span>
            Name <span class="hint">(optional)</span>
          </span>
          <input
            type="text"
            name="name"
            autoComplete="name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
      ) : null}
      <label>
        Password
        <input
          type="password"
          name="password"
          autoComplete={signup ? "new-password" : "current-password"}
          required
          minLength={signup ? 8 : 1}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <ProblemNote
        problem={action.problem}
        context={signup ? "Could not sign up." : "Could not sign in."}
      />
      <button type="submit" class="primary" disabled={action.busy}>
        {signup
          ? invitationToken
            ? "Create account and join"
            : "Create account"
          : invitationToken
            ? "Sign in and join"
            : "Sign in"}
      </button>
    </form>
  );
}

export function AuthPage({
  mode,
  onSignedIn,
}: {
  mode: "signin" | "signup";
  onSignedIn: () => Promise<void>;
}) {
  return (
    <main id="main" class="centered card">
      <h1>{mode === "signup" ? "Create your tenantgate account" : "Sign in to tenantgate"}</h1>
      <AuthForm mode={mode} onSignedIn={onSignedIn} />
      <p>
        {mode === "signup" ? (
          <>
            Already have an account? <a href="#/signin">Sign in</a>
          </>
        ) : (
          <>
            New here? <a href="#/signup">Create an account</a>
          </>
        )}
      </p>
      <p class="hint">
        <a href="/docs">API reference</a>
      </p>
    </main>
  );
}
