import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Done, ProblemNote } from "../parts/feedback.js";
import { useAction } from "../parts/load.js";
import { leaveInvitation } from "../parts/route.js";
import { AuthForm } from "./auth.js";

/** `/invite/<token>`: join a tenant, signing in or up first when needed. */
export function InvitePage({
  token,
  signedIn,
  onSignedIn,
}: {
  token: string;
  signedIn: boolean;
  onSignedIn: () => Promise<void>;
}) {
  const [mode, setMode] = useState<"signin" | "signup">("signup");
  const accept = useAction();
  if (signedIn)
    return (
      <section>
        <h1>You have been invited</h1>
        <p>Accept to get your own account in the tenant that invited you. You stay signed in.</p>
        <ProblemNote problem={accept.problem} context="Could not accept the invitation." />
        <Done message={accept.done} />
        <button
          type="button"
          class="primary"
          disabled={accept.busy}
          onClick={() =>
            void accept.run(async () => {
              await api("POST", "/v1/invitations/accept", { token });
              await onSignedIn();
              leaveInvitation();
            }, "Joined.")
          }
        >
          Accept the invitation
        </button>
      </section>
    );
  return (
    <main id="main" class="centered card">
      <h1>You have been invited to a tenant</h1>
      <p>Create an account to join, or sign in if you already have one.</p>
      <fieldset class="tabs">
        <legend class="sr-only">Have an account?</legend>
        <button type="button" aria-pressed={mode === "signup"} onClick={() => setMode("signup")}>
          I am new here
        </button>
        <button type="button" aria-pressed={mode === "signin"} onClick={() => setMode("signin")}>
          I have an account
        </button>
      </fieldset>
      <AuthForm key={mode} mode={mode} invitationToken={token} onSignedIn={onSignedIn} />
    </main>
  );
}
