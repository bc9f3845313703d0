import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { Problem } from "../api.js";

export interface Loaded<T> {
  data: T | undefined;
  error: Problem | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; the newest run wins. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Problem; loading: boolean }>({
    loading: true,
  });
  const run = useRef(0);
  // The caller names what `load` depends on: `deps`, not `load` itself (a new closure each render).
  const reload = useCallback(() => {
    const mine = ++run.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => mine === run.current && setState({ data, loading: false }),
      (error: unknown) =>
        mine === run.current && setState({ error: asProblem(error), loading: false }),
    );
  }, deps);
  useEffect(reload, [reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function asProblem(error: unknown): Problem {
  return error instanceof Problem
    ? error
    : new Problem(0, "client_error", error instanceof Error ? error.message : String(error));
}

/**
 * A form action's state: `run` calls the API, records its problem or success message, and keeps
 * the button busy meanwhile.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const run = useCallback(async <T>(task: () => Promise<T>, success?: string) => {
    setBusy(true);
    setProblem(undefined);
    setDone(undefined);
    try {
      const result = await task();
      if (success) setDone(success);
      return result;
    } catch (error) {
      setProblem(asProblem(error));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, done, run, clear: () => setProblem(undefined) };
}
