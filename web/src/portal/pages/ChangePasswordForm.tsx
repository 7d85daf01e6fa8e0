/**
 * Changes the signed-in user's password (`POST /v1/me/password`). A wrong current password is
 * `422` naming `currentPassword`, shown at that field. On success the server revokes every
 * refresh token of the user, so this session cannot last: the form signs out here and the
 * sign-in page says why.
 */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { callVoid } from '../../api/call';
import { usePortal } from '../context';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { validatePassword } from '../../shared/validation';

export const PASSWORD_CHANGED_NOTICE = 'Your password was changed and you were signed out everywhere. Sign in with the new password.';

export function ChangePasswordForm() {
  const { api, session } = usePortal();
  const navigate = useNavigate();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);
  const submit = useSubmit(async () => {
    await callVoid(api.POST('/v1/me/password', { body: { currentPassword: current, newPassword: next } }));
    // Every refresh token is revoked now: end this session too and ask for a new sign-in.
    navigate('/login', { replace: true, state: { notice: PASSWORD_CHANGED_NOTICE } });
    session.set(null);
  });

  const currentError = (touched && !current ? 'must not be empty' : null) ?? fieldError(submit.error, 'currentPassword');
  const newError = (touched ? validatePassword(next) : null) ?? fieldError(submit.error, 'newPassword');
  const confirmError = touched && confirm !== next ? 'the two passwords differ' : null;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!current || validatePassword(next) || confirm !== next) return;
    void submit.run();
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      <p className="hint">You will be signed out everywhere, this browser too, and sign in again with the new one.</p>
      {isFieldError(submit.error, ['currentPassword', 'newPassword']) ? null : <ErrorAlert error={submit.error} />}
      <TextField
        label="Current password"
        type="password"
        required
        autoComplete="current-password"
        value={current}
        onChange={setCurrent}
        error={currentError}
      />
      <TextField
        label="New password"
        type="password"
        required
        autoComplete="new-password"
        value={next}
        onChange={setNext}
        hint="12 to 1024 characters; a passphrase is best."
        error={newError}
      />
      <TextField
        label="New password again"
        type="password"
        required
        autoComplete="new-password"
        value={confirm}
        onChange={setConfirm}
        error={confirmError}
      />
      <SubmitButton busy={submit.busy} busyLabel="Changing…">
        Change password
      </SubmitButton>
    </form>
  );
}
