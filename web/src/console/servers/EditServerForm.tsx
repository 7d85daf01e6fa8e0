/**
 * Edits a registered server's capacity, placement mode and state, and how the platform reaches
 * it: TLS mode, CA bundle, client certificate, admin password (`PATCH /v1/servers/{name}`,
 * sending only what changed). A `422` naming a field is shown at it; a live check that refused
 * new connection settings (`details.check`; nothing changed) in the Connection section;
 * anything else (`409` when a server holding several tenants would become dedicated) above the
 * form. Once saved, the draft restarts from the saved server, so the new password and client
 * key leave this form's state.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { PLACEMENTS, SERVER_STATES, type ServerView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SelectField } from '../../shared/forms/SelectField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { editBody, editDraftOf, validateServerEdit, type ServerEditDraft } from './serverEdit';
import { checkFailure } from './serverRules';
import { ConnectionFields } from './ConnectionFields';

const CONNECTION = ['tlsMode', 'caCertificate', 'clientCertificate', 'clientKey', 'adminPassword'] as const;
const FIELDS = ['capacity', 'placement', 'state', ...CONNECTION] as const;
const PLACEMENT_OPTIONS = PLACEMENTS.map((p) => ({ value: p, label: p }));
const STATE_OPTIONS = SERVER_STATES.map((s) => ({ value: s, label: s === 'draining' ? 'draining (no new tenants)' : s }));

export interface EditServerFormProps {
  server: ServerView;
  onSaved: (server: ServerView) => void;
  onCancel: () => void;
}

export function EditServerForm({ server, onSaved, onCancel }: EditServerFormProps) {
  const { api } = useConsole();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [draft, setDraft] = useState<ServerEditDraft>(() => editDraftOf(server));
  const [touched, setTouched] = useState(false);
  const save = useSubmit(async (d: ServerEditDraft) => {
    const path = { params: { path: { name: server.name } } };
    const saved = await call(api.PATCH('/v1/servers/{name}', { ...path, body: editBody(d, server) }));
    setDraft(editDraftOf(saved));
    setTouched(false);
    onSaved(saved);
  });
  const errors = validateServerEdit(draft, server);
  const shown = touched ? errors : {};
  const err = (f: (typeof FIELDS)[number]) => shown[f] ?? fieldError(save.error, f);
  const check = checkFailure(save.error);
  const body = editBody(draft, server);
  const changed = Object.keys(body).length > 0;
  const checked = CONNECTION.some((f) => f in body);
  const tenantHosted = server.kind === 'tenant_hosted';
  useEffect(() => heading.current?.focus(), []);

  function update(patch: Partial<ServerEditDraft>) {
    setDraft((d) => ({ ...d, ...patch }));
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length === 0 && changed) void save.run(draft);
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card" aria-labelledby={headingId}>
      <h3 id={headingId} tabIndex={-1} ref={heading}>
        Edit <code>{server.name}</code>
      </h3>
      {check || isFieldError(save.error, FIELDS) ? null : <ErrorAlert error={save.error} />}
      <div className="inline-fields">
        <TextField
          label="Capacity"
          required
          inputMode="numeric"
          value={draft.capacity}
          onChange={(capacity) => update({ capacity })}
          hint={`Most tenant databases (1–100000); it holds ${server.tenants}. Lower than that: it takes no new tenants.`}
          error={err('capacity')}
        />
        <SelectField
          label="Placement"
          value={draft.placement}
          options={PLACEMENT_OPTIONS}
          onChange={(placement) => update({ placement })}
          disabled={tenantHosted}
          hint={
            tenantHosted
              ? 'A tenant-hosted server is always dedicated to its tenant.'
              : 'Shared: automatic placement. Dedicated: only a tenant pinned to it.'
          }
          error={err('placement')}
        />
        <SelectField
          label="State"
          value={draft.state}
          options={STATE_OPTIONS}
          onChange={(state) => update({ state })}
          hint="Its tenants stay either way."
          error={err('state')}
        />
      </div>
      <ConnectionFields
        server={server}
        draft={draft}
        onChange={update}
        error={err}
        check={check}
        checkError={save.error}
      />
      <div className="button-row">
        <SubmitButton busy={save.busy} busyLabel={checked ? 'Checking and saving…' : 'Saving…'} disabled={!changed}>
          Save changes <span className="visually-hidden">to {server.name}</span>
        </SubmitButton>
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={save.busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
