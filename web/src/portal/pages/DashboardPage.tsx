/** The start page: who you are here, which modules are on, and where to go next. */
import { Link } from 'react-router';
import { call } from '../../api/call';
import { can, useIdentity, useMe, usePortal } from '../context';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { useLoad } from '../../shared/useLoad';

const SHORTCUTS = [
  { to: '/users', label: 'Invite your team', needs: 'users.manage' },
  { to: '/api-keys', label: 'Create an API key', needs: 'api_keys.manage' },
  { to: '/files', label: 'Upload and share files', needs: 'files.write' },
  { to: '/modules', label: 'Turn modules on or off', needs: 'modules.manage' },
  { to: '/connectors', label: 'Connect e-mail, Stripe, storage or push', needs: 'connectors.manage' },
  { to: '/webhooks', label: 'Send events to your systems', needs: 'webhooks.manage' },
  { to: '/audit', label: 'See who did what', needs: 'audit.read' },
];

export function DashboardPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const me = useMe();
  const modules = useLoad(() => call(api.GET('/v1/modules')), [api]);
  const enabled = modules.data?.items.filter((m) => m.enabled) ?? [];
  const shortcuts = SHORTCUTS.filter((s) => can(me, s.needs));
  return (
    <Page title={tenant.displayName} site={tenant.displayName}>
      <p>
        Signed in as <strong>{me.email}</strong> with the role <strong>{me.role}</strong>.
      </p>
      <section aria-labelledby="modules-heading" className="card">
        <h2 id="modules-heading">Modules on</h2>
        <ErrorAlert error={modules.error} />
        {modules.loading && !modules.data ? <Loading /> : null}
        {modules.data && enabled.length === 0 ? <Empty>No module is on yet.</Empty> : null}
        {enabled.length > 0 ? (
          <ul className="chip-list">
            {enabled.map((m) => (
              <li key={m.key} className="chip">
                {m.key}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      {shortcuts.length > 0 ? (
        <section aria-labelledby="shortcuts-heading">
          <h2 id="shortcuts-heading">Get started</h2>
          <ul className="link-list">
            {shortcuts.map((s) => (
              <li key={s.to}>
                <Link to={s.to}>{s.label}</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Page>
  );
}
