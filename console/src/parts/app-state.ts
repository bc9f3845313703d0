import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Abilities, SessionInfo, TenancyPowers } from "../types.js";

export interface AppState {
  session: SessionInfo;
  /** Membership roles, highest first, as the API names them (GET /v1/tenancy). */
  membershipRoles: string[];
  /** The grants custom roles may carry (undefined: custom roles are off in this installation). */
  customRoleGrants: string[] | undefined;
  /** The tenant permission behind each administrative power (GET /v1/tenancy). */
  powers: TenancyPowers;
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

/** Whether the person is an operator of the installation. */
export function isOperator(state: AppState): boolean {
  return state.session.operator;
}

const holds = (state: AppState, permission: string | undefined) =>
  permission !== undefined && state.tenant?.abilities.permissions[permission] === true;

/**
 * Whether the person's account in the active tenant has an administrative power, by the tenant
 * permission tenancy.yaml puts behind it (the API decides each action anyway).
 */
export function can(state: AppState, power: Exclude<keyof TenancyPowers, "manageRole">): boolean {
  return holds(state, state.powers[power]);
}

/** Whether the person may give or take a membership role. */
export function canManageRole(state: AppState, role: string): boolean {
  return holds(state, state.powers.manageRole[role]);
}
