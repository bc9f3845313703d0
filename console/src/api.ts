/**
 * The console's one way to the server: the same JSON API every other client uses, with the
 * session cookie (same origin, so the API's CSRF rule is met by the browser's own Origin header).
 * Errors arrive as RFC 9457 problems and are thrown as `Problem`s for the page to show.
 */

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly field?: string,
    readonly requestId?: string,
  ) {
    super(detail);
  }
}

const VIEW_AS_KEY = "tenantgate.viewAs";

/** The operator's view-as grant, kept for this browser tab only. */
export const viewAs = {
  get: (): string | null => sessionStorage.getItem(VIEW_AS_KEY),
  set: (id: string | null) =>
    id ? sessionStorage.setItem(VIEW_AS_KEY, id) : sessionStorage.removeItem(VIEW_AS_KEY),
};

/** Requests still running after this long are reported as waiting on the server. */
const SLOW_MS = 1500;

type Listener = () => void;
const listeners = {
  slow: new Set<Listener>(),
  change: new Set<Listener>(),
  signedOut: new Set<Listener>(),
};
let slowRequests = 0;

/** Subscribe to: a request being slow (or no longer), a change written, the session ending. */
export function on(event: keyof typeof listeners, listener: Listener): () => void {
  listeners[event].add(listener);
  return () => listeners[event].delete(listener);
}
const emit = (event: keyof typeof listeners) => {
  for (const listener of listeners[event]) listener();
};
export const isSlow = () => slowRequests > 0;

/** Paths whose POSTs are questions, not changes (watches are not re-run after them). */
const QUESTION = /^\/v1\/(check|check\/bulk|lookup\/.*|tenants\/[^/]+\/check)$/;

interface RequestOptions {
  /** Send without the view-as header (ending a view-as must be the operator's own request). */
  asSelf?: boolean;
}

export async function api<T>(
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const viewing = viewAs.get();
  if (viewing && !options.asSelf) headers["x-view-as"] = viewing;
  let slow = false;
  const timer = setTimeout(() => {
    slow = true;
    slowRequests++;
    emit("slow");
  }, SLOW_MS);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Problem(0, "network", "The server could not be reached. Is tenantgate running?");
  } finally {
    clearTimeout(timer);
    if (slow) {
      slowRequests--;
      emit("slow");
    }
  }
  if (!response.ok) {
    const problem = await readProblem(response);
    if (response.status === 401 && path !== "/v1/auth/login") emit("signedOut");
    throw problem;
  }
  if (method !== "GET" && !QUESTION.test(path)) emit("change");
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function readProblem(response: Response): Promise<Problem> {
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      const p = (await response.json()) as {
        code?: string;
        detail?: string;
        field?: string;
        requestId?: string;
      };
      return new Problem(
        response.status,
        p.code ?? `http_${response.status}`,
        p.detail ?? response.statusText,
        p.field,
        p.requestId,
      );
    } catch {
      // not JSON after all: fall through
    }
  }
  return new Problem(
    response.status,
    `http_${response.status}`,
    `The server answered ${response.status} ${response.statusText}.`,
  );
}

/** `{a: 1, b: undefined}` → `?a=1`, for GET query strings. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== "",
  );
  return entries.length === 0
    ? ""
    : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}
