/**
 * Accepting an invitation: the invitee pastes the one-time token (tokens never travel in URLs),
 * picks a password, and is signed in with the role they were invited with.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { call } from '../../api/call';
import { useIdentity, usePortal } from '../context';
import { Page } from '../../shared/Page';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { useSubmit } from '../../shared/useSubmit';
import { validatePassword } from '../../shared/validation';

export function AcceptInvitationPage() {
  const { api, session } = usePortal();
  const { tenant } = useIdentity();
  const navigate = useNavigate();
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const submit = useSubmit(async () => {
    const body = { token: token.trim(), password, name: name.trim() || null };
    session.signIn(await call(api.POST('/v1/auth/accept-invitation', { body })), tenant.displayName);
    navigate('/', { replace: true });
  });
  const passwordError = touched ? validatePassword(password) : null;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!token.trim() || validatePassword(password)) return;
    void submit.run();
  }

  return (
    <main id="main" className="auth-main">
      <Page title={`Join ${tenant.displayName}`} site={tenant.displayName} narrow>
        <form onSubmit={onSubmit} noValidate className="card">
          <ErrorAlert error={fieldError(submit.error, 'password') ? null : submit.error} />
          <TextField
            label="Invitation token"
            autoComplete="off"
            required
            value={token}
            onChange={setToken}
            error={touched && !token.trim() ? 'must not be empty' : null}
            hint="From your invitation e-mail, or as given to you by whoever invited you."
          />
          <TextField label="Your name" autoComplete="name" value={name} onChange={setName} />
          <TextField
            label="Choose a password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={setPassword}
            hint="At least 12 characters."
            error={passwordError ?? fieldError(submit.error, 'password')}
          />
          <SubmitButton busy={submit.busy} busyLabel="Joining…">
            Join
          </SubmitButton>
        </form>
        <p>
          Already have an account? <Link to="/login">Sign in</Link>.
        </p>
      </Page>
    </main>
  );
}
