/** Your account (`GET /v1/me`) and changing your password (`POST /v1/me/password`). */
import { useIdentity, useMe } from '../context';
import { Page } from '../../shared/Page';
import { formatDate } from '../../shared/format';
import { ChangePasswordForm } from './ChangePasswordForm';

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
      <section className="card">
        <ChangePasswordForm />
      </section>
    </Page>
  );
}
