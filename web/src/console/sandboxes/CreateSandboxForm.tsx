/**
 * Makes a sandbox now (`POST /v1/sandboxes`), as pipelines do with `tenantry sandbox up`:
 * label, plan, lifetime and optionally a database server (the active ones that can take a
 * tenant, from `GET /v1/servers`; automatic placement works without the list). The answer
 * comes once the sandbox is ready, with its credentials, which the page shows once.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { PLANS, type CreatedSandbox } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SelectField } from '../../shared/forms/SelectField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { useLoad } from '../../shared/useLoad';
import { useSubmit } from '../../shared/useSubmit';
import { placementBlocker } from '../servers/serverRules';
import { emptySandboxDraft, sandboxBody, validateSandboxDraft, type SandboxDraft } from './sandboxDraft';

const PLAN_OPTIONS = [{ value: '' as const, label: 'standard (default)' }, ...PLANS.filter((p) => p !== 'standard').map((p) => ({ value: p, label: p }))];
const FIELDS = ['label', 'plan', 'ttl', 'ttlSeconds', 'server'];

export interface CreateSandboxFormProps {
  onCreated: (sandbox: CreatedSandbox) => void;
  onCancel: () => void;
}

export function CreateSandboxForm({ onCreated, onCancel }: CreateSandboxFormProps) {
  const { api } = useConsole();
  const heading = useRef<HTMLHeadingElement>(null);
  const [draft, setDraft] = useState<SandboxDraft>(emptySandboxDraft);
  const [touched, setTouched] = useState(false);
  const servers = useLoad(() => call(api.GET('/v1/servers')), [api]);
  const create = useSubmit(async (d: SandboxDraft) => onCreated(await call(api.POST('/v1/sandboxes', { body: sandboxBody(d) }))));
  const errors = validateSandboxDraft(draft);
  const shown = touched ? errors : {};
  const serverOptions = [
    { value: '', label: 'Automatic: fewest tenants' },
    ...(servers.data?.items ?? []).filter((s) => placementBlocker(s) === null).map((s) => ({ value: s.name, label: s.name })),
  ];
  const update = (patch: Partial<SandboxDraft>) => setDraft((d) => ({ ...d, ...patch }));
  useEffect(() => heading.current?.focus(), []);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length === 0) void create.run(draft);
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card" aria-labelledby="create-sandbox-heading">
      <h2 id="create-sandbox-heading" tabIndex={-1} ref={heading}>
        Create a sandbox
      </h2>
      <p className="hint">
        A throwaway tenant with an owner and an API key, removed when its lifetime ends. Its credentials are shown once.
      </p>
      {isFieldError(create.error, FIELDS) ? null : <ErrorAlert error={create.error} title="No sandbox was created" />}
      <div className="inline-fields">
        <TextField
          label="Label"
          autoComplete="off"
          value={draft.label}
          onChange={(label) => update({ label })}
          hint="Optional, in its name, e.g. the CI job. At most 60 characters."
          error={shown.label ?? fieldError(create.error, 'label')}
        />
        <TextField
          label="Lifetime in minutes"
          required
          inputMode="numeric"
          value={draft.minutes}
          onChange={(minutes) => update({ minutes })}
          hint="1 minute to 7 days (10080)."
          error={shown.minutes ?? fieldError(create.error, 'ttl') ?? fieldError(create.error, 'ttlSeconds')}
        />
      </div>
      <div className="inline-fields">
        <SelectField
          label="Plan"
          value={draft.plan}
          options={PLAN_OPTIONS}
          onChange={(plan) => update({ plan })}
          error={fieldError(create.error, 'plan')}
        />
        <SelectField
          label="Database server"
          value={draft.server}
          options={serverOptions}
          onChange={(server) => update({ server })}
          hint={servers.error ? 'The servers could not be listed; automatic placement still works.' : 'Only servers that take a new tenant now.'}
          error={fieldError(create.error, 'server')}
        />
      </div>
      <div className="button-row">
        <SubmitButton busy={create.busy} busyLabel="Creating the sandbox…">
          Create sandbox
        </SubmitButton>
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={create.busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
