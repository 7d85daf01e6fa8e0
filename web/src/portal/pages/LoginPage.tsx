/**
 * Sign-in to this tenant's portal; shows the server's error (vague on purpose, or rate limited),
 * and why the user is here when a page sent them (e.g. after changing their password).
 */
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { call } from '../../api/call';
import { useIdentity, usePortal, useTokens } from '../context';
import { Page } from '../../shared/Page';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Notice } from '../../shared/Status';
import { useSubmit } from '../../shared/useSubmit';

export function LoginPage() {
  const { api, session } = usePortal();
  const { tenant } = useIdentity();
  const navigate = useNavigate();
  const location = useLocation();
  const state = location.state as { from?: string; notice?: string } | null;
  const from = state?.from ?? '/';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit(async () => {
    session.signIn(await call(api.POST('/v1/auth/login', { body: { email: email.trim(), password } })), tenant.displayName);
    navigate(from, { replace: true });
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void submit.run();
  }

  if (useTokens() && !submit.busy) return <Navigate to={from} replace />;
  return (
    <main id="main" className="auth-main">
      <Page title={`Sign in to ${tenant.displayName}`} site={tenant.displayName} narrow>
        {tenant.branding.logoUrl ? <img src={tenant.branding.logoUrl} alt={`${tenant.displayName} logo`} className="logo-large" /> : null}
        {state?.notice && !submit.error ? <Notice>{state.notice}</Notice> : null}
        <form onSubmit={onSubmit} noValidate className="card">
          <ErrorAlert error={submit.error} title="Sign-in failed" />
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
          Invited? <Link to="/accept-invitation">Accept your invitation</Link>.
        </p>
      </Page>
    </main>
  );
}
