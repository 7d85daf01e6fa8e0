/**
 * Invites someone with a role. Only owners may invite owners. When the EMAIL connector is
 * connected the token is e-mailed; otherwise it comes back once, to be passed on.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { usePortal } from '../context';
import { ROLES, type CreatedInvitation, type Role } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SelectField } from '../../shared/forms/SelectField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { validateEmail } from '../../shared/validation';

export interface InviteFormProps {
  myRole: Role;
  onInvited: (invitation: CreatedInvitation) => void;
}

export function InviteForm({ myRole, onInvited }: InviteFormProps) {
  const { api } = usePortal();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('staff');
  const [touched, setTouched] = useState(false);
  const roles = ROLES.filter((r) => r !== 'owner' || myRole === 'owner').map((r) => ({ value: r, label: r }));
  const submit = useSubmit(async () => {
    onInvited(await call(api.POST('/v1/invitations', { body: { email: email.trim(), role } })));
    setEmail('');
    setTouched(false);
  });
  const emailError = (touched ? validateEmail(email) : null) ?? fieldError(submit.error, 'email');

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!validateEmail(email)) void submit.run();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <ErrorAlert error={fieldError(submit.error, 'email') ? null : submit.error} />
      <div className="inline-fields">
        <TextField label="E-mail" type="email" required autoComplete="off" value={email} onChange={setEmail} error={emailError} />
        <SelectField label="Role" value={role} options={roles} onChange={setRole} />
      </div>
      <SubmitButton busy={submit.busy} busyLabel="Inviting…">
        Invite
      </SubmitButton>
    </form>
  );
}
