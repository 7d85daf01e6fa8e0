/**
 * Creates an API key. Scopes are permission names; a key can only get permissions its creator
 * has, so the choices are the signed-in user's own permissions.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { usePortal } from '../context';
import type { CreatedApiKey } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { CheckboxField } from '../../shared/forms/CheckboxField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { localInputToIso } from '../../shared/format';
import { useSubmit } from '../../shared/useSubmit';

export interface CreateApiKeyFormProps {
  permissions: readonly string[];
  onCreated: (key: CreatedApiKey) => void;
}

export function CreateApiKeyForm({ permissions, onCreated }: CreateApiKeyFormProps) {
  const { api } = usePortal();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [touched, setTouched] = useState(false);
  const submit = useSubmit(async () => {
    const body = { name: name.trim(), scopes, expiresAt: localInputToIso(expires) };
    onCreated(await call(api.POST('/v1/api-keys', { body })));
    setName('');
    setScopes([]);
    setExpires('');
    setTouched(false);
  });
  const nameError = touched && !name.trim() ? 'must not be empty' : null;
  const scopesError = touched && scopes.length === 0 ? 'choose at least one scope' : null;

  function toggle(scope: string, on: boolean) {
    setScopes((s) => (on ? [...s, scope] : s.filter((x) => x !== scope)));
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!name.trim() || scopes.length === 0) return;
    void submit.run();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">New API key</h2>
      <ErrorAlert error={fieldError(submit.error, 'name') ? null : submit.error} />
      <TextField
        label="Name"
        required
        value={name}
        onChange={setName}
        maxLength={100}
        hint="What uses it, e.g. “reporting”."
        error={nameError ?? fieldError(submit.error, 'name')}
      />
      <fieldset className="checkbox-group" aria-describedby={scopesError ? 'scopes-error' : undefined}>
        <legend>Scopes</legend>
        {permissions.map((p) => (
          <CheckboxField key={p} label={<code>{p}</code>} checked={scopes.includes(p)} onChange={(on) => toggle(p, on)} />
        ))}
        {scopesError ? (
          <div className="field-error" id="scopes-error">
            {scopesError}
          </div>
        ) : null}
      </fieldset>
      <TextField label="Expires" type="datetime-local" value={expires} onChange={setExpires} hint="Optional; empty means it does not expire." />
      <SubmitButton busy={submit.busy} busyLabel="Creating…">
        Create key
      </SubmitButton>
    </form>
  );
}
