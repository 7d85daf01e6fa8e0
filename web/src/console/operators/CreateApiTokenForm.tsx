/**
 * Makes an API token for a CI pipeline or a script (`POST /v1/api-tokens`; needs a signed-in
 * operator). `sandbox` (the default) may only call `/v1/sandboxes`; `admin` the whole API but
 * minting tokens and adding operators. The token comes back once, to the caller.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { TOKEN_SCOPES, type CreatedApiToken, type TokenScope } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { validateDisplayName } from '../../shared/validation';

const SCOPE_DESCRIPTIONS: Record<TokenScope, string> = {
  sandbox: 'Only the sandbox endpoints: make, list and remove CI sandboxes.',
  admin: 'The whole control-plane API, except making tokens and adding operators.',
};

export function validateExpiryDays(days: string): string | null {
  if (!days.trim()) return null;
  const n = /^\d+$/.test(days.trim()) ? Number(days.trim()) : NaN;
  return n >= 1 && n <= 365 ? null : 'between 1 and 365';
}

export function CreateApiTokenForm({ onCreated }: { onCreated: (token: CreatedApiToken) => void }) {
  const { api } = useConsole();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TokenScope>('sandbox');
  const [days, setDays] = useState('');
  const [touched, setTouched] = useState(false);
  const submit = useSubmit(async () => {
    const body = { name: name.trim(), scope, ...(days.trim() ? { expiresInDays: Number(days.trim()) } : {}) };
    onCreated(await call(api.POST('/v1/api-tokens', { body })));
    setName('');
    setScope('sandbox');
    setDays('');
    setTouched(false);
  });
  const nameError = (touched ? validateDisplayName(name) : null) ?? fieldError(submit.error, 'name');
  const daysError = (touched ? validateExpiryDays(days) : null) ?? fieldError(submit.error, 'expiresInDays');
  const scopeError = fieldError(submit.error, 'scope');

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (validateDisplayName(name) || validateExpiryDays(days)) return;
    void submit.run();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card" aria-labelledby="new-token-heading">
      <h3 id="new-token-heading">New API token</h3>
      {isFieldError(submit.error, ['name', 'scope', 'expiresInDays']) ? null : <ErrorAlert error={submit.error} />}
      <TextField
        label="Name"
        required
        maxLength={100}
        value={name}
        onChange={setName}
        hint="What uses it, e.g. the pipeline: “acme-app CI”."
        error={nameError}
      />
      <fieldset className="radio-group">
        <legend>Scope</legend>
        {TOKEN_SCOPES.map((s) => (
          <label key={s} className="radio">
            <input type="radio" name="token-scope" value={s} checked={scope === s} onChange={() => setScope(s)} />
            <span>
              <strong>{s}</strong> <span className="muted">{SCOPE_DESCRIPTIONS[s]}</span>
            </span>
          </label>
        ))}
        {scopeError ? <div className="field-error">{scopeError}</div> : null}
      </fieldset>
      <TextField
        label="Expires after (days)"
        inputMode="numeric"
        value={days}
        onChange={setDays}
        hint="1 to 365; empty: it does not expire."
        error={daysError}
      />
      <SubmitButton busy={submit.busy} busyLabel="Creating…">
        Create token
      </SubmitButton>
    </form>
  );
}
