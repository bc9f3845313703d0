import { useEffect, useState } from "preact/hooks";

/**
 * Where the person is. Console pages live in the fragment (`/#/members`), so the server serves
 * one page for `/`; an invitation link is a real path (`/invite/<token>`), as the API's
 * invitations tell people to open.
 */
export interface Route {
  page: string;
  invitationToken?: string;
}

function current(): Route {
  const invite = /^\/invite\/([^/]+)$/.exec(location.pathname);
  if (invite?.[1]) return { page: "invite", invitationToken: decoded(invite[1]) };
  const page = location.hash.replace(/^#\/?/, "").split("?")[0] || "home";
  return { page };
}

/** A malformed escape (`/invite/%E0`) stays as typed: the API then refuses the token. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener("hashchange", update);
    addEventListener("popstate", update);
    return () => {
      removeEventListener("hashchange", update);
      removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/** Leaves `/invite/<token>` for the console's home, without keeping the token in history. */
export function leaveInvitation(): void {
  history.replaceState(null, "", "/#/");
  dispatchEvent(new PopStateEvent("popstate"));
}
