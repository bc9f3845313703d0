import { useEffect, useState } from "preact/hooks";

/**
 * Saved questions ("can Bob edit project:p1?"), kept in this browser per user and tenant. The
 * console re-runs them after every change it writes, through the same check route as a question
 * asked by hand, so nothing about them is decided here.
 */
export interface Watch {
  id: string;
  accountId: string;
  /** How the console names the account (an email), for reading only. */
  accountLabel: string;
  resource: string;
  permission: string;
}

const key = (userId: string, tenantId: string) => `tenantgate.watches.${userId}.${tenantId}`;
const CHANGED = "tenantgate-watches-changed";

function readWatches(userId: string, tenantId: string): Watch[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(key(userId, tenantId)) ?? "[]") as unknown;
    return Array.isArray(parsed) ? (parsed as Watch[]) : [];
  } catch {
    return [];
  }
}

export function writeWatches(userId: string, tenantId: string, watches: Watch[]): void {
  localStorage.setItem(key(userId, tenantId), JSON.stringify(watches));
  dispatchEvent(new Event(CHANGED));
}

export function addWatch(userId: string, tenantId: string, watch: Omit<Watch, "id">): void {
  const watches = readWatches(userId, tenantId);
  const same = (w: Watch) =>
    w.accountId === watch.accountId &&
    w.resource === watch.resource &&
    w.permission === watch.permission;
  if (watches.some(same)) return;
  writeWatches(userId, tenantId, [...watches, { ...watch, id: crypto.randomUUID() }]);
}

export function useWatches(userId: string, tenantId: string): Watch[] {
  const [watches, setWatches] = useState(() => readWatches(userId, tenantId));
  useEffect(() => {
    const update = () => setWatches(readWatches(userId, tenantId));
    update();
    addEventListener(CHANGED, update);
    addEventListener("storage", update);
    return () => {
      removeEventListener(CHANGED, update);
      removeEventListener("storage", update);
    };
  }, [userId, tenantId]);
  return watches;
}
