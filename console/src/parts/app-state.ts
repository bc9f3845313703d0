import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Abilities, SessionInfo } from "../types.js";

export interface AppState {
  session: SessionInfo;
  /** Membership roles, highest first, as the API names them (GET /v1/tenancy). */
  membershipRoles: string[];
  /** The grants custom roles may carry, when the API names them (else read from the schema). */
  customRoleGrants: string[] | undefined;
  /** The active tenant, and what the person's account may do there (undefined: none active). */
  tenant: { id: string; name: string; abilities: Abilities } | undefined;
  /** Reads the session again (after switching, joining, creating a tenant). */
  refresh: () => Promise<void>;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error("useApp outside the signed-in console");
  return state;
}

/** Whether the person's account holds a tenant permission (the API decides each action anyway). */
/** Whether the person is an operator (a flag of the session, or of its user in later APIs). */
export function isOperator(state: AppState): boolean {
  const { session } = state;
  return session.operator ?? session.user.operator ?? false;
}

export function can(state: AppState, permission: string): boolean {
  return state.tenant?.abilities.permissions[permission] === true;
}
