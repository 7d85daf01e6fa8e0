/**
 * The portal's frame: loads the tenant this host serves (`GET /v1/tenant`, public) and applies
 * its branding, shows the tenant's state instead of the pages when it is suspended or gone,
 * loads the signed-in user (`GET /v1/me`), and routes.
 */
import { useEffect, useMemo } from 'react';
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { call } from '../api/call';
import { IdentityProvider, usePortal, useTokens, useUnavailable, type PortalIdentity } from './context';
import { applyBranding } from './branding';
import { useLoad } from '../shared/useLoad';
import { Loading } from '../shared/Status';
import { ErrorAlert } from '../shared/ErrorAlert';
import { NotFoundPage } from '../shared/NotFoundPage';
import { PortalShell } from './PortalShell';
import { TenantUnavailablePage } from './pages/TenantUnavailablePage';
import { LoginPage } from './pages/LoginPage';
import { AcceptInvitationPage } from './pages/AcceptInvitationPage';
import { DashboardPage } from './pages/DashboardPage';
import { ProfilePage } from './pages/ProfilePage';
import { UsersPage } from './users/UsersPage';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { ModulesPage } from './modules/ModulesPage';
import { ConnectorsPage } from './connectors/ConnectorsPage';
import { WebhooksPage } from './webhooks/WebhooksPage';
import { WebhookDetailPage } from './webhooks/WebhookDetailPage';
import { AuditLogPage } from './pages/AuditLogPage';
import { FilesPage } from './files/FilesPage';
import { SettingsPage } from './pages/SettingsPage';

function RequireUser({ identity }: { identity: PortalIdentity }) {
  const location = useLocation();
  if (!useTokens()) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (!identity.me) {
    return identity.meError ? (
      <main id="main">
        <ErrorAlert error={identity.meError} title="Your account could not be loaded" />
        <button type="button" className="btn btn-primary" onClick={identity.reloadMe}>
          Try again
        </button>
      </main>
    ) : (
      <Loading label="Loading your account…" />
    );
  }
  return (
    <PortalShell>
      <Outlet />
    </PortalShell>
  );
}

export function PortalApp() {
  const { api, session } = usePortal();
  const unavailable = useUnavailable();
  const signedIn = useTokens() !== null;
  const tenant = useLoad(() => call(api.GET('/v1/tenant')), [api, unavailable === null]);
  // Both reload when the tenant becomes available again (e.g. resumed after a suspension).
  const me = useLoad(async () => (signedIn ? call(api.GET('/v1/me')) : null), [api, signedIn, unavailable === null]);

  useEffect(() => {
    if (tenant.data) {
      applyBranding(tenant.data);
      // The switcher lists the tenant under its current name (it may have been renamed).
      if (signedIn) session.nameTenant(tenant.data.displayName);
    }
  }, [tenant.data, signedIn, session]);

  const identity = useMemo<PortalIdentity | null>(
    () =>
      tenant.data
        ? { tenant: tenant.data, me: me.data, meError: me.error, reloadMe: me.reload, setTenant: tenant.setData }
        : null,
    [tenant.data, tenant.setData, me.data, me.error, me.reload],
  );

  if (unavailable) return <TenantUnavailablePage unavailable={unavailable} />;
  if (!identity) {
    return (
      <main id="main" className="auth-main">
        {tenant.error ? <ErrorAlert error={tenant.error} title="This workspace cannot be loaded" /> : <Loading />}
      </main>
    );
  }
  return (
    <IdentityProvider value={identity}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
        <Route element={<RequireUser identity={identity} />}>
          <Route index element={<DashboardPage />} />
          <Route path="profile" element={<ProfilePage />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="api-keys" element={<ApiKeysPage />} />
          <Route path="modules" element={<ModulesPage />} />
          <Route path="connectors" element={<ConnectorsPage />} />
          <Route path="webhooks" element={<WebhooksPage />} />
          <Route path="webhooks/:id" element={<WebhookDetailPage />} />
          <Route path="files" element={<FilesPage />} />
          <Route path="audit" element={<AuditLogPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </IdentityProvider>
  );
}
