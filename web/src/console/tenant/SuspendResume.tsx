/**
 * Suspend an active tenant (its API answers `403 TENANT_SUSPENDED` at once) with a reason for
 * the record, or resume a suspended one.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { TenantView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { validateReason } from '../../shared/validation';

export function SuspendResume({ tenant, onChanged }: { tenant: TenantView; onChanged: (t: TenantView) => void }) {
  const { api } = useConsole();
  const [reason, setReason] = useState('');
  const path = { params: { path: { tenant: tenant.id } } };
  const suspend = useSubmit(async () => {
    const body = reason.trim() ? { reason: reason.trim() } : {};
    onChanged(await call(api.POST('/v1/tenants/{tenant}/suspend', { ...path, body })));
    setReason('');
  });
  const resume = useSubmit(async () => onChanged(await call(api.POST('/v1/tenants/{tenant}/resume', path))));
  const reasonError = validateReason(reason);

  function onSuspend(e: FormEvent) {
    e.preventDefault();
    if (!reasonError) void suspend.run();
  }

  if (tenant.status === 'suspended') {
    return (
      <div>
        <p>
          Suspended{tenant.statusReason ? <>: <q>{tenant.statusReason}</q></> : null}. Its users and API keys are refused
          until it is resumed.
        </p>
        <ErrorAlert error={resume.error} />
        <button type="button" className="btn btn-primary" disabled={resume.busy} onClick={() => void resume.run()}>
          {resume.busy ? 'Resuming…' : 'Resume tenant'}
        </button>
      </div>
    );
  }
  if (tenant.status !== 'active') {
    return <p className="muted">Only an active tenant can be suspended (this one is {tenant.status}).</p>;
  }
  return (
    <form onSubmit={onSuspend} noValidate>
      <ErrorAlert error={fieldError(suspend.error, 'reason') ? null : suspend.error} />
      <TextField
        label="Reason"
        value={reason}
        onChange={setReason}
        maxLength={500}
        hint="Shown to operators in the tenant list and the audit log; at most 500 characters."
        error={reasonError ?? fieldError(suspend.error, 'reason')}
      />
      <SubmitButton busy={suspend.busy} busyLabel="Suspending…" variant="danger">
        Suspend tenant
      </SubmitButton>
    </form>
  );
}
