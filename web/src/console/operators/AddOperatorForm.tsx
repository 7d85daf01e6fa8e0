/**
 * Adds an operator (`POST /v1/operators`; needs a signed-in operator, API tokens are refused).
 * E-mail and password follow the server's rules (shared/domain); a taken e-mail is `409`.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Notice } from '../../shared/Status';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { validateEmail, validatePassword } from '../../shared/validation';

export function AddOperatorForm({ onAdded }: { onAdded: () => void }) {
  const { api } = useConsole();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const submit = useSubmit(async () => {
    const created = await call(api.POST('/v1/operators', { body: { email: email.trim(), password } }));
    setAdded(created.email);
    setEmail('');
    setPassword('');
    setConfirm('');
    setTouched(false);
    onAdded();
  });

  const emailError = (touched ? validateEmail(email) : null) ?? fieldError(submit.error, 'email');
  const passwordError = (touched ? validatePassword(password) : null) ?? fieldError(submit.error, 'password');
  const confirmError = touched && confirm !== password ? 'the two passwords differ' : null;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    setAdded(null);
    if (validateEmail(email) || validatePassword(password) || confirm !== password) return;
    void submit.run();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card" aria-labelledby="add-operator-heading">
      <h3 id="add-operator-heading">Add an operator</h3>
      <p className="hint">Give them the password through a safe channel. Operators have the whole console.</p>
      {added ? <Notice>Added {added}; they can sign in now.</Notice> : null}
      {isFieldError(submit.error, ['email', 'password']) ? null : <ErrorAlert error={submit.error} />}
      <TextField
        label="E-mail"
        type="email"
        required
        autoComplete="off"
        value={email}
        onChange={setEmail}
        error={emailError}
      />
      <div className="inline-fields">
        <TextField
          label="Password"
          type="password"
          required
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          hint="12 to 1024 characters."
          error={passwordError}
        />
        <TextField
          label="Password again"
          type="password"
          required
          autoComplete="new-password"
          value={confirm}
          onChange={setConfirm}
          error={confirmError}
        />
      </div>
      <SubmitButton busy={submit.busy} busyLabel="Adding…">
        Add operator
      </SubmitButton>
    </form>
  );
}
