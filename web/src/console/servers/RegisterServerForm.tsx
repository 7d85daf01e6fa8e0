/**
 * Registers a database server (`POST /v1/servers`). The control plane connects to it first
 * (reachable, Postgres 15+, an admin that may create databases and roles, template prepared)
 * and stores it only if that live check passes; a failed check answers `422` with the reason
 * in `details.check`, shown above the form. The admin password is write-only: it stays in
 * this form's state until the server is registered and is then dropped. With `verify-full`
 * the server's certificate is checked against a pasted CA bundle, or the control plane
 * host's trusted roots when none is given; the bundle is sent with that mode only. A client
 * certificate and its key (both or neither) go with a TLS mode only; the key, like the
 * password, leaves this form's state once the server is registered.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { PLACEMENTS, SERVER_KINDS, type ServerCheckView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SelectField } from '../../shared/forms/SelectField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import {
  checkFailure,
  emptyServerDraft,
  isServerDraftValid,
  kindLabel,
  presentsClientCertificate,
  registerBody,
  TLS_OPTIONS,
  validateServerDraft,
  type ServerDraft,
} from './serverRules';
import { CaCertificateField } from './CaCertificateField';
import { ClientCertificateFields } from './ClientCertificateFields';

const KIND_OPTIONS = SERVER_KINDS.map((k) => ({ value: k, label: kindLabel(k) }));
const PLACEMENT_OPTIONS = PLACEMENTS.map((p) => ({ value: p, label: p }));
const FIELDS = [
  'name',
  'host',
  'port',
  'adminUser',
  'adminDatabase',
  'placement',
  'capacity',
  'tlsMode',
  'caCertificate',
  'clientCertificate',
  'clientKey',
] as const;

export interface RegisterServerFormProps {
  onRegistered: (view: ServerCheckView) => void;
  onCancel: () => void;
}

export function RegisterServerForm({ onRegistered, onCancel }: RegisterServerFormProps) {
  const { api } = useConsole();
  const [draft, setDraft] = useState<ServerDraft>(emptyServerDraft);
  const [touched, setTouched] = useState(false);
  const submit = useSubmit(async (d: ServerDraft) => {
    const view = await call(api.POST('/v1/servers', { body: registerBody(d) }));
    setDraft(emptyServerDraft());
    setTouched(false);
    onRegistered(view);
  });
  const errors = validateServerDraft(draft);
  const shown = touched ? errors : {};
  const check = checkFailure(submit.error);
  const err = (field: (typeof FIELDS)[number]) => shown[field] ?? fieldError(submit.error, field);

  function update(patch: Partial<ServerDraft>) {
    setDraft((d) => {
      const next = { ...d, ...patch };
      // A tenant-hosted server is always dedicated to its one tenant.
      if (patch.kind === 'tenant_hosted') next.placement = 'dedicated';
      return next;
    });
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (isServerDraftValid(errors)) void submit.run(draft);
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card" aria-labelledby="register-server-heading">
      <h2 id="register-server-heading">Register a database server</h2>
      <p className="hint">
        The control plane connects with these settings before saving anything: the server must run Postgres 15 or newer
        and the admin user needs CREATEDB and CREATEROLE (or superuser).
      </p>
      {check ? (
        <ErrorAlert error={submit.error} title="The live check failed; nothing was registered" message={check} />
      ) : isFieldError(submit.error, FIELDS) ? null : (
        <ErrorAlert error={submit.error} />
      )}
      <div className="inline-fields">
        <TextField
          label="Name"
          required
          autoComplete="off"
          spellCheck={false}
          value={draft.name}
          onChange={(name) => update({ name })}
          hint="How tenants are pinned to it: a-z, 0-9, - and _."
          error={err('name')}
        />
        <TextField
          label="Host"
          required
          autoComplete="off"
          spellCheck={false}
          value={draft.host}
          onChange={(host) => update({ host })}
          hint="Host name or IP address, as the control plane reaches it."
          error={err('host')}
        />
        <TextField
          label="Port"
          required
          inputMode="numeric"
          value={draft.port}
          onChange={(port) => update({ port })}
          error={err('port')}
        />
      </div>
      <div className="inline-fields">
        <TextField
          label="Admin user"
          required
          autoComplete="off"
          spellCheck={false}
          value={draft.adminUser}
          onChange={(adminUser) => update({ adminUser })}
          error={err('adminUser')}
        />
        <TextField
          label="Admin password"
          type="password"
          autoComplete="new-password"
          value={draft.adminPassword}
          onChange={(adminPassword) => update({ adminPassword })}
          hint="Write-only: sealed with the master key, never shown again. Empty for password-less access."
        />
        <TextField
          label="Admin database"
          required
          autoComplete="off"
          spellCheck={false}
          value={draft.adminDatabase}
          onChange={(adminDatabase) => update({ adminDatabase })}
          error={err('adminDatabase')}
        />
      </div>
      <div className="inline-fields">
        <SelectField
          label="Kind"
          value={draft.kind}
          options={KIND_OPTIONS}
          onChange={(kind) => update({ kind })}
          hint="Tenant-hosted: a tenant's own server, dedicated to it."
        />
        <SelectField
          label="Placement"
          value={draft.placement}
          options={PLACEMENT_OPTIONS}
          onChange={(placement) => update({ placement })}
          disabled={draft.kind === 'tenant_hosted'}
          hint="Shared: automatic placement. Dedicated: only a tenant pinned to it."
          error={err('placement')}
        />
        <TextField
          label="Capacity"
          inputMode="numeric"
          value={draft.capacity}
          onChange={(capacity) => update({ capacity })}
          hint={`Most tenant databases; empty for the default (${draft.kind === 'tenant_hosted' ? 1 : 5000}).`}
          error={err('capacity')}
        />
      </div>
      <SelectField
        label="Connection security"
        value={draft.tlsMode}
        options={TLS_OPTIONS}
        onChange={(tlsMode) => update({ tlsMode })}
        hint="Verify-full also checks that the certificate names the host."
        error={err('tlsMode')}
      />
      {draft.tlsMode === 'verify-full' ? (
        <CaCertificateField
          value={draft.caCertificate}
          onChange={(caCertificate) => update({ caCertificate })}
          hint="Optional: the CA that issued the server's certificate. Empty: the control plane's trusted roots."
          error={err('caCertificate')}
        />
      ) : null}
      {presentsClientCertificate(draft.tlsMode) ? <ClientCertificateFields value={draft} onChange={update} error={err} /> : null}
      <div className="button-row">
        <SubmitButton busy={submit.busy} busyLabel="Checking and registering…">
          Check and register
        </SubmitButton>
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={submit.busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
