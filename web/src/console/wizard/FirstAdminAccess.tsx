/**
 * The ready screen's word on an invited first admin: the one-time code from the create call,
 * shown once; or, when the tenant came out of a retried job (whose answer has no code), an
 * "Issue the invitation" button (`POST /v1/tenants/{slug}/admin-invitation`).
 */
import { useState } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { OwnerInvitation, TenantView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { useSubmit } from '../../shared/useSubmit';
import { OwnerInvitationPanel } from '../tenant/OwnerInvitationPanel';

export interface FirstAdminAccessProps {
  tenant: TenantView;
  email: string;
  /** From the create call's answer; null after a retry. */
  invitation: OwnerInvitation | null;
}

export function FirstAdminAccess({ tenant, email, invitation: fromCreate }: FirstAdminAccessProps) {
  const { api } = useConsole();
  const [invitation, setInvitation] = useState<OwnerInvitation | null>(fromCreate);
  const [dismissed, setDismissed] = useState(false);
  const issue = useSubmit(async () => {
    const path = { params: { path: { tenant: tenant.slug } } };
    setInvitation(await call(api.POST('/v1/tenants/{tenant}/admin-invitation', { ...path, body: { email } })));
  });

  if (invitation && !dismissed) {
    return <OwnerInvitationPanel invitation={invitation} tenantUrl={tenant.url} onDismiss={() => setDismissed(true)} />;
  }
  if (invitation) {
    return (
      <p>
        The invitation for {invitation.email} was shown once. If it is lost, invite an owner again from the tenant&rsquo;s
        page.
      </p>
    );
  }
  return (
    <section aria-labelledby="issue-invitation-heading" className="card">
      <h3 id="issue-invitation-heading">Invite the first admin</h3>
      <p>
        The tenant was created by a retried job, whose answer carries no invitation code. Issue one for {email} now.
      </p>
      <ErrorAlert error={issue.error} />
      <button type="button" className="btn btn-primary" disabled={issue.busy} onClick={() => void issue.run()}>
        {issue.busy ? 'Issuing…' : 'Issue the invitation'}
      </button>
    </section>
  );
}
