/**
 * First-run setup: the one-time bootstrap token (printed or written to a file at the control
 * plane's first start) creates the first operator, who is then signed in.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { call } from '../../api/call';
import { ApiError } from '../../api/errors';
import { useConsole } from '../context';
import { Page } from '../../shared/Page';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { useSubmit } from '../../shared/useSubmit';
import { validateEmail, validatePassword } from '../../shared/validation';

export function SetupPage() {
  const { api, session } = useConsole();
  const navigate = useNavigate();
  const [token, setToken] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);

  const emailError = touched ? validateEmail(email) : null;
  const passwordError = touched ? validatePassword(password) : null;
  const confirmError = touched && confirm !== password ? 'the two passwords differ' : null;

  const submit = useSubmit(async () => {
    await call(api.POST('/v1/bootstrap', { body: { token: token.trim(), email: email.trim(), password } }));
    const login = await call(api.POST('/v1/auth/login', { body: { email: email.trim(), password } }));
    session.set({ token: login.token, expiresAt: login.expiresAt, email: email.trim().toLowerCase() });
    navigate('/', { replace: true });
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (validateEmail(email) || validatePassword(password) || confirm !== password || !token.trim()) return;
    void submit.run();
  }

  const done = submit.error instanceof ApiError && submit.error.code === 'ALREADY_BOOTSTRAPPED';

  return (
    <main id="main" className="auth-main">
      <Page title="Set up the platform" site="Tenantry" narrow>
        <p>
          Create the first operator with the bootstrap token the control plane printed at its first start
          (<code>tenantry dev</code> writes it to <code>.tenantry/bootstrap.token</code>). The token works once.
        </p>
        <form onSubmit={onSubmit} noValidate className="card">
          {isFieldError(submit.error, ['email', 'password']) ? null : <ErrorAlert error={submit.error} />}
          {done ? (
            <p>
              <Link to="/login">Sign in</Link> instead.
            </p>
          ) : null}
          <TextField
            label="Bootstrap token"
            type="password"
            autoComplete="off"
            required
            value={token}
            onChange={setToken}
            error={touched && !token.trim() ? 'must not be empty' : null}
          />
          <TextField
            label="Your e-mail"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={setEmail}
            error={emailError ?? fieldError(submit.error, 'email')}
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            required
            hint="At least 12 characters; a passphrase is best."
            value={password}
            onChange={setPassword}
            error={passwordError ?? fieldError(submit.error, 'password')}
          />
          <TextField
            label="Password again"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={setConfirm}
            error={confirmError}
          />
          <SubmitButton busy={submit.busy} busyLabel="Creating…">
            Create the first operator
          </SubmitButton>
        </form>
        <p>
          Already set up? <Link to="/login">Sign in</Link>.
        </p>
      </Page>
    </main>
  );
}
