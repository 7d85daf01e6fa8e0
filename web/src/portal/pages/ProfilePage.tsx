/**
 * Your account (`GET /v1/me`). Changing your own password needs an endpoint the tenant API does
 * not have yet; the page says so rather than offering a form that cannot work.
 */
import { useIdentity, useMe } from '../context';
import { Page } from '../../shared/Page';
import { formatDate } from '../../shared/format';

export function ProfilePage() {
  const me = useMe();
  const { tenant } = useIdentity();
  return (
    <Page title="Your profile" site={tenant.displayName}>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{me.name || '—'}</dd>
        <dt>E-mail</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd>{me.role}</dd>
        <dt>Status</dt>
        <dd>{me.status}</dd>
        <dt>Member since</dt>
        <dd>{formatDate(me.createdAt)}</dd>
        <dt>Permissions</dt>
        <dd>
          <ul className="chip-list">
            {me.permissions.map((p) => (
              <li key={p} className="chip">
                <code>{p}</code>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      <section aria-labelledby="password-heading" className="card">
        <h2 id="password-heading">Password</h2>
        <p>
          Changing your password from the portal is not available yet: the tenant API has no endpoint for it (neither
          for you nor for an admin). It comes with that endpoint.
        </p>
      </section>
    </Page>
  );
}
