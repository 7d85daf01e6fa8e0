/**
 * "Invite an owner" on the tenant page (`POST /v1/tenants/{t}/admin-invitation`): for a first
 * admin whose invitation was lost or expired, or a tenant locked out. The one-time code is
 * shown once; the server refuses a tenant that is not active (`409 INVALID_STATE`) and an
 * address that is already a user (`409 CONFLICT`, field `email`).
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { OwnerInvitation, TenantView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { validateEmail } from '../../shared/validation';
import { OwnerInvitationPanel } from './OwnerInvitationPanel';

export interface InviteOwnerProps {
  tenant: TenantView;
  /** An invitation was made (it is in the audit logs now). */
  onInvited: () => void;
}

export function InviteOwner({ tenant, onInvited }: InviteOwnerProps) {
  const { api } = useConsole();
  const [email, setEmail] = useState('');
  const [touched, setTouched] = useState(false);
  const [invitation, setInvitation] = useState<OwnerInvitation | null>(null);
  const invite = useSubmit(async () => {
    const path = { params: { path: { tenant: tenant.slug } } };
    setInvitation(await call(api.POST('/v1/tenants/{tenant}/admin-invitation', { ...path, body: { email: email.trim() } })));
    setEmail('');
    setTouched(false);
    onInvited();
  });
  const emailError = (touched ? validateEmail(email) : null) ?? fieldError(invite.error, 'email');

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!validateEmail(email)) void invite.run();
  }

  if (invitation) {
    return <OwnerInvitationPanel invitation={invitation} tenantUrl={tenant.url} onDismiss={() => setInvitation(null)} />;
  }
  return (
    <form onSubmit={onSubmit} noValidate>
      <p>
        The invited person becomes an owner of the tenant once they accept with the code shown here. A new invitation
        replaces any open invitation for that address, and it is recorded in the tenant&rsquo;s audit log.
      </p>
      <ErrorAlert error={fieldError(invite.error, 'email') ? null : invite.error} />
      <TextField
        label="Owner's e-mail"
        type="email"
        required
        autoComplete="off"
        value={email}
        onChange={setEmail}
        error={emailError}
      />
      <SubmitButton busy={invite.busy} busyLabel="Inviting…">
        Invite owner
      </SubmitButton>
    </form>
  );
}
