/** Renders console or portal pages with their providers, an in-memory router and a fresh session. */
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { OperatorSession, createControlApi } from '../api/control';
import { TenantSession, createTenantApi } from '../api/tenant';
import { ConsoleProvider } from '../console/context';
import { IdentityProvider, PortalProvider } from '../portal/context';
import { TenantAvailability } from '../portal/availability';
import { HOST_BASED, type PortalBase } from '../portal/base';
import type { MeView, ProfileView } from '../portal/types';

export const ORIGIN = 'http://console.test';

export function renderConsole(ui: ReactElement, { path = '/', route = '*', signedIn = true } = {}) {
  const session = new OperatorSession(sessionStorage);
  if (signedIn) session.set({ token: 'op-token', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), email: 'ops@example.com' });
  const api = createControlApi(session, ORIGIN);
  const utils = render(
    <ConsoleProvider deps={{ api, session }}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={route} element={ui} />
          {route === '*' ? null : <Route path="*" element={<p>elsewhere</p>} />}
        </Routes>
      </MemoryRouter>
    </ConsoleProvider>,
  );
  return { ...utils, session, api };
}

export const TENANT: ProfileView = {
  id: '0192f000-0000-7000-8000-000000000001',
  slug: 'acme',
  displayName: 'Acme Ltd',
  branding: { primaryColor: '#123456', logoUrl: null },
  signupPolicy: 'invite_only',
  createdAt: '2026-01-01T00:00:00Z',
};

export const ADMIN: MeView = {
  id: '0192f000-0000-7000-8000-0000000000aa',
  email: 'owner@acme.example',
  name: 'Olive Owner',
  role: 'owner',
  status: 'active',
  createdAt: '2026-01-01T00:00:00Z',
  permissions: ['users.read', 'users.manage', 'api_keys.manage', 'audit.read', 'notes.read', 'modules.read'],
};

/** `base`: a path-routed tenant (`detectBase('/t/acme/')`); host-based by default. */
export function renderPortal(
  ui: ReactElement,
  { path = '/', me = ADMIN as MeView | null, signedIn = true, base = HOST_BASED as PortalBase } = {},
) {
  const session = new TenantSession(sessionStorage, undefined, base.slug);
  if (signedIn) session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 900, tokenType: 'Bearer' }, TENANT.displayName);
  const availability = new TenantAvailability();
  const baseUrl = `${ORIGIN}${base.prefix}`;
  const api = createTenantApi(session, { baseUrl, onTenantUnavailable: (code, message) => availability.set({ code, message }) });
  const identity = { tenant: TENANT, me, meError: null, reloadMe: () => undefined, setTenant: () => undefined };
  const utils = render(
    <PortalProvider deps={{ api, session, availability, base, baseUrl }}>
      <IdentityProvider value={identity}>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path="*" element={ui} />
          </Routes>
        </MemoryRouter>
      </IdentityProvider>
    </PortalProvider>,
  );
  return { ...utils, session, api, availability };
}
