/** Users and roles: invite, open invitations, and the user list with role and status changes. */
import { useState } from 'react';
import { call } from '../../api/call';
import { can, useIdentity, useMe, usePortal } from '../context';
import type { CreatedInvitation } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading, Notice } from '../../shared/Status';
import { Pager, useCursorPager } from '../../shared/Pager';
import { ShownOnce } from '../../shared/ShownOnce';
import { useLoad } from '../../shared/useLoad';
import { InviteForm } from './InviteForm';
import { InvitationsList } from './InvitationsList';
import { UserRow } from './UserRow';

export function UsersPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const me = useMe();
  const canManage = can(me, 'users.manage');
  const pager = useCursorPager<string>();
  const users = useLoad(() => call(api.GET('/v1/users', { params: { query: { cursor: pager.cursor, limit: 50 } } })), [api, pager.cursor]);
  const [invited, setInvited] = useState<CreatedInvitation | null>(null);
  const [invitationsVersion, setInvitationsVersion] = useState(0);

  function onInvited(invitation: CreatedInvitation) {
    setInvited(invitation);
    setInvitationsVersion((v) => v + 1);
  }

  return (
    <Page title="Users and roles" site={tenant.displayName}>
      {invited?.token ? (
        <ShownOnce title={`Invitation for ${invited.email}`} secret={invited.token} onDismiss={() => setInvited(null)}>
          <p>
            Give this token to {invited.email}; they paste it on the portal&rsquo;s <q>Accept your invitation</q> page.
            {invited.deliveryError ? ` (E-mailing it failed: ${invited.deliveryError}.)` : ''}
          </p>
        </ShownOnce>
      ) : null}
      {invited && !invited.token ? <Notice>The invitation was e-mailed to {invited.email}.</Notice> : null}
      {canManage ? <InviteForm myRole={me.role} onInvited={onInvited} /> : null}
      <InvitationsList version={invitationsVersion} />
      <section aria-labelledby="users-heading">
        <h2 id="users-heading">Users</h2>
        <ErrorAlert error={users.error} />
        {users.loading && !users.data ? <Loading /> : null}
        {users.data && users.data.items.length === 0 ? <Empty>No users.</Empty> : null}
        {users.data && users.data.items.length > 0 ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <UserRow key={u.id} user={u} isMe={u.id === me.id} canManage={canManage} onChanged={users.reload} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager
          page={pager.page}
          hasNext={Boolean(users.data?.nextCursor)}
          onNext={() => users.data?.nextCursor && pager.next(users.data.nextCursor)}
          onPrevious={pager.previous}
        />
      </section>
    </Page>
  );
}
