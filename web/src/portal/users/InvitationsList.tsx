/** Open invitations (not accepted, revoked or expired), each revocable. */
import { call, callVoid } from '../../api/call';
import { usePortal } from '../context';
import type { InvitationView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { useSubmit } from '../../shared/useSubmit';

function RevokeInvitation({ invitation, onDone }: { invitation: InvitationView; onDone: () => void }) {
  const { api } = usePortal();
  const revoke = useSubmit(async () => {
    await callVoid(api.DELETE('/v1/invitations/{id}', { params: { path: { id: invitation.id } } }));
    onDone();
  });
  return (
    <>
      <button type="button" className="btn btn-secondary" disabled={revoke.busy} onClick={() => void revoke.run()}>
        Revoke <span className="visually-hidden">the invitation of {invitation.email}</span>
      </button>
      <ErrorAlert error={revoke.error} />
    </>
  );
}

export function InvitationsList({ version }: { version: number }) {
  const { api } = usePortal();
  const invitations = useLoad(() => call(api.GET('/v1/invitations')), [api, version]);
  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Open invitations</h2>
      <ErrorAlert error={invitations.error} />
      {invitations.loading && !invitations.data ? <Loading /> : null}
      {invitations.data && invitations.data.items.length === 0 ? <Empty>No open invitations.</Empty> : null}
      {invitations.data && invitations.data.items.length > 0 ? (
        <ul className="row-list">
          {invitations.data.items.map((i) => (
            <li key={i.id}>
              <span>
                <strong>{i.email}</strong> as {i.role}, until {formatDate(i.expiresAt)}
              </span>
              <RevokeInvitation invitation={i} onDone={invitations.reload} />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
