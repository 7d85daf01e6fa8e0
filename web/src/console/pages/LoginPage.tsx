/** Operator sign-in: e-mail and password for a 12-hour bearer token. */
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { Page } from '../../shared/Page';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { useSubmit } from '../../shared/useSubmit';

export function LoginPage() {
  const { api, session } = useConsole();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit(async () => {
    const token = await call(api.POST('/v1/auth/login', { body: { email: email.trim(), password } }));
    session.set({ token: token.token, expiresAt: token.expiresAt, email: email.trim().toLowerCase() });
    navigate(from, { replace: true });
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void submit.run();
  }

  return (
    <main id="main" className="auth-main">
      <Page title="Sign in to the console" site="Tenantry" narrow>
        <form onSubmit={onSubmit} noValidate className="card">
          <ErrorAlert error={submit.error} />
          <TextField label="E-mail" type="email" autoComplete="username" required value={email} onChange={setEmail} />
          <TextField
            label="Password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={setPassword}
          />
          <SubmitButton busy={submit.busy} busyLabel="Signing in…" disabled={!email || !password}>
            Sign in
          </SubmitButton>
        </form>
        <p>
          First start of this platform? <Link to="/setup">Create the first operator</Link> with the bootstrap token.
        </p>
      </Page>
    </main>
  );
}
