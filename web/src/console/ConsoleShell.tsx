/** The signed-in console frame: navigation and the operator's sign-out. */
import type { ReactNode } from 'react';
import { AppShell } from '../shared/AppShell';
import { callVoid } from '../api/call';
import { useConsole, useOperator } from './context';

const NAV = [
  { to: '/', label: 'Tenants', end: true },
  { to: '/tenants/new', label: 'Onboard' },
  { to: '/jobs', label: 'Jobs' },
  { to: '/servers', label: 'Database servers' },
  { to: '/sandboxes', label: 'Sandboxes' },
  { to: '/operators', label: 'Operators & API tokens' },
  { to: '/audit', label: 'Audit log' },
] as const;

export function ConsoleShell({ children }: { children: ReactNode }) {
  const { api, session } = useConsole();
  const operator = useOperator();
  async function signOut() {
    // Revoke the token server-side; sign out locally whatever the answer.
    await callVoid(api.POST('/v1/auth/logout')).catch(() => undefined);
    session.set(null);
  }
  return (
    <AppShell
      brand={<span className="brand-name">Tenantry console</span>}
      nav={NAV}
      user={
        <>
          <span className="user-email">{operator?.email}</span>
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
