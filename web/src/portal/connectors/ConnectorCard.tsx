/** One connector: its settings, its write-only secrets, save, test and disconnect. */
import { useState, type FormEvent } from 'react';
import { call, callVoid } from '../../api/call';
import { usePortal } from '../context';
import type { ConnectorView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Notice } from '../../shared/Status';
import { TextField } from '../../shared/forms/TextField';
import { CheckboxField } from '../../shared/forms/CheckboxField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { formatDate } from '../../shared/format';
import { useSubmit } from '../../shared/useSubmit';
import { SchemaField, humaniseName } from './SchemaField';
import { configDraft, isSecretSet, putBody, secretDraft } from './connectorDraft';

export function ConnectorCard({ connector, onChanged }: { connector: ConnectorView; onChanged: (c: ConnectorView) => void }) {
  const { api } = usePortal();
  const [config, setConfig] = useState(() => configDraft(connector));
  const [secrets, setSecrets] = useState(() => secretDraft(connector));
  const [testTo, setTestTo] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string; durationMs: number } | null>(null);
  const [saved, setSaved] = useState(false);
  const path = { params: { path: { key: connector.key } } };

  const save = useSubmit(async () => {
    const next = await call(api.PUT('/v1/connectors/{key}', { ...path, body: putBody(connector, config, secrets) }));
    setSecrets(secretDraft(next));
    onChanged(next);
    setSaved(true);
  });
  const test = useSubmit(async () => {
    const body = connector.key === 'email' && testTo.trim() ? { to: testTo.trim() } : {};
    setOutcome(await call(api.POST('/v1/connectors/{key}/test', { ...path, body })));
    onChanged(await call(api.GET('/v1/connectors/{key}', path)));
  });
  const disconnect = useSubmit(async () => {
    await callVoid(api.DELETE('/v1/connectors/{key}', path));
    const next = await call(api.GET('/v1/connectors/{key}', path));
    setConfig(configDraft(next));
    setSecrets(secretDraft(next));
    onChanged(next);
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    void save.run();
  }

  const fieldFor = (name: string) => fieldError(save.error, `config.${name}`) ?? fieldError(save.error, name);
  const secretError = (name: string) => fieldError(save.error, `secrets.${name}`) ?? fieldError(save.error, name);

  return (
    <section className="card connector" aria-labelledby={`connector-${connector.key}`}>
      <div className="module-head">
        <h2 id={`connector-${connector.key}`}>{connector.key}</h2>
        <span className={connector.connected ? 'badge badge-ok' : 'badge badge-muted'}>
          {connector.connected ? 'connected' : 'not connected'}
        </span>
      </div>
      <p>{connector.description}</p>
      {connector.lastTest ? (
        <p className={connector.lastTest.ok ? 'muted' : 'step-error'}>
          Last test {formatDate(connector.lastTest.at)}: {connector.lastTest.ok ? 'passed' : 'failed'} — {connector.lastTest.message}
        </p>
      ) : null}
      <form onSubmit={onSubmit} noValidate>
        {saved ? <Notice>Saved.</Notice> : null}
        <ErrorAlert error={save.error} />
        <fieldset>
          <legend>Settings</legend>
          {connector.configSchema.map((spec) => (
            <SchemaField
              key={spec.name}
              spec={spec}
              value={config[spec.name] ?? ''}
              onChange={(v) => setConfig({ ...config, [spec.name]: v })}
              error={fieldFor(spec.name)}
            />
          ))}
        </fieldset>
        <fieldset>
          <legend>Secrets (write-only)</legend>
          {connector.secretSchema.map((spec) => {
            const set = isSecretSet(connector, spec.name);
            const draft = secrets[spec.name] ?? { value: '', remove: false };
            return (
              <div key={spec.name} className="secret-field">
                <TextField
                  label={`${humaniseName(spec.name)} (${set ? 'set' : 'not set'})`}
                  type="password"
                  autoComplete="new-password"
                  value={draft.value}
                  disabled={draft.remove}
                  placeholder={set ? 'leave empty to keep the stored value' : ''}
                  hint={spec.description}
                  error={secretError(spec.name)}
                  onChange={(value) => setSecrets({ ...secrets, [spec.name]: { ...draft, value } })}
                />
                {set ? (
                  <CheckboxField
                    label={`Remove the stored ${humaniseName(spec.name).toLowerCase()}`}
                    checked={draft.remove}
                    onChange={(remove) => setSecrets({ ...secrets, [spec.name]: { value: '', remove } })}
                  />
                ) : null}
              </div>
            );
          })}
        </fieldset>
        <SubmitButton busy={save.busy} busyLabel="Saving…">
          {connector.connected ? 'Save' : 'Connect'}
        </SubmitButton>
      </form>
      {connector.connected ? (
        <div className="connector-actions">
          {connector.key === 'email' ? (
            <TextField label="Send the test message to" type="email" value={testTo} onChange={setTestTo} hint="Empty: the sender address." />
          ) : null}
          {outcome ? (
            <div className={outcome.ok ? 'alert alert-success' : 'alert alert-error'} role="status">
              Test {outcome.ok ? 'passed' : 'failed'} in {outcome.durationMs} ms: {outcome.message}
            </div>
          ) : null}
          <ErrorAlert error={test.error ?? disconnect.error} />
          <div className="button-row">
            <button type="button" className="btn btn-secondary" disabled={test.busy} onClick={() => void test.run()}>
              {test.busy ? 'Testing…' : 'Test connection'}
            </button>
            <button type="button" className="btn btn-danger" disabled={disconnect.busy} onClick={() => void disconnect.run()}>
              {disconnect.busy ? 'Disconnecting…' : 'Disconnect'}
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
