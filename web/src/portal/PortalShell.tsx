/**
 * The signed-in portal frame: the tenant's logo and name, navigation by permission, sign-out,
 * and under path routing the workspace switcher.
 */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { AppShell, type NavItem } from '../shared/AppShell';
import { can, useIdentity, useMe, usePortal } from './context';
import { useWorkspaceSwitcher } from './WorkspaceSwitcher';

const NAV: readonly (NavItem & { needs?: string })[] = [
  { to: '/', label: 'Dashboard', end: true },
  { to: '/users', label: 'Users', needs: 'users.read' },
  { to: '/api-keys', label: 'API keys', needs: 'api_keys.manage' },
  { to: '/files', label: 'Files', needs: 'files.read' },
  { to: '/modules', label: 'Modules', needs: 'modules.read' },
  { to: '/connectors', label: 'Connectors', needs: 'connectors.manage' },
  { to: '/webhooks', label: 'Webhooks', needs: 'webhooks.manage' },
  { to: '/audit', label: 'Audit log', needs: 'audit.read' },
  { to: '/settings', label: 'Settings', needs: 'tenant.manage' },
  { to: '/profile', label: 'Profile' },
];

export function PortalShell({ children }: { children: ReactNode }) {
  const { api, session } = usePortal();
  const { tenant } = useIdentity();
  const me = useMe();
  const nav = NAV.filter((item) => !item.needs || can(me, item.needs));
  const switcher = useWorkspaceSwitcher();

  async function signOut() {
    const refreshToken = session.get()?.refreshToken;
    if (refreshToken) {
      // Ends the session server-side (the whole refresh-token family); sign out locally anyway.
      await api.POST('/v1/auth/logout', { body: { refreshToken } }).catch(() => undefined);
    }
    session.set(null);
  }

  return (
    <AppShell
      brand={
        <Link to="/" className="brand-link">
          {tenant.branding.logoUrl ? <img src={tenant.branding.logoUrl} alt="" className="logo" /> : null}
          <span className="brand-name">{tenant.displayName}</span>
        </Link>
      }
      nav={nav}
      banner={switcher.panel}
      user={
        <>
          {switcher.toggle}
          <Link to="/profile" className="user-email">
            {me.name || me.email}
          </Link>
          <button type="button" className="btn btn-secondary" onClick={signOut}>
            Sign out
          </button>
        </>
      }
    >
      {children}
    </AppShell>
  );
}
