/** The portal's API client, token session and tenant availability, provided once at the root. */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { TenantApi, TenantSession, TenantTokens } from '../api/tenant';
import type { TenantAvailability, Unavailable } from './availability';
import type { PortalBase } from './base';
import type { MeView, ProfileView } from './types';

export interface PortalDeps {
  api: TenantApi;
  session: TenantSession;
  availability: TenantAvailability;
  /** Host-based, or `/t/<slug>` under path routing. */
  base: PortalBase;
  /** The tenant API's base URL: the origin plus `base.prefix`, for calls outside the client. */
  baseUrl: string;
}

const PortalContext = createContext<PortalDeps | null>(null);

export function PortalProvider({ deps, children }: { deps: PortalDeps; children: ReactNode }) {
  return <PortalContext.Provider value={deps}>{children}</PortalContext.Provider>;
}

export function usePortal(): PortalDeps {
  const deps = useContext(PortalContext);
  if (!deps) throw new Error('usePortal outside PortalProvider');
  return deps;
}

export function useTokens(): TenantTokens | null {
  const { session } = usePortal();
  return useSyncExternalStore((l) => session.subscribe(l), () => session.get());
}

export function useUnavailable(): Unavailable | null {
  const { availability } = usePortal();
  return useSyncExternalStore((l) => availability.subscribe(l), () => availability.get());
}

/** The tenant (public profile) and the signed-in user, loaded by the app frame. */
export interface PortalIdentity {
  tenant: ProfileView;
  me: MeView | null;
  meError: unknown;
  reloadMe: () => void;
  setTenant: (t: ProfileView) => void;
}

const IdentityContext = createContext<PortalIdentity | null>(null);
export const IdentityProvider = IdentityContext.Provider;

export function useIdentity(): PortalIdentity {
  const identity = useContext(IdentityContext);
  if (!identity) throw new Error('useIdentity outside IdentityProvider');
  return identity;
}

/** The signed-in user; pages under `RequireUser` can rely on it. */
export function useMe(): MeView {
  const { me } = useIdentity();
  if (!me) throw new Error('useMe without a signed-in user');
  return me;
}

export function can(me: MeView | null, permission: string): boolean {
  return Boolean(me?.permissions.includes(permission));
}
