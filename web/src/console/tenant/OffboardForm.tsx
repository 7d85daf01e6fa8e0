/**
 * Offboarding (`DELETE /v1/tenants/{t}`): drops the tenant's database, role and secrets and
 * keeps a tombstone. Irreversible, so the operator types the slug to confirm.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { TenantView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { useSubmit } from '../../shared/useSubmit';

export function OffboardForm({ tenant, onChanged }: { tenant: TenantView; onChanged: (t: TenantView) => void }) {
  const { api } = useConsole();
  const [typed, setTyped] = useState('');
  const offboard = useSubmit(async () =>
    onChanged(await call(api.DELETE('/v1/tenants/{tenant}', { params: { path: { tenant: tenant.id } } }))),
  );
  const confirmed = typed === tenant.slug;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (confirmed) void offboard.run();
  }

  if (tenant.status === 'deleted') return <p>This tenant was offboarded; only its tombstone remains.</p>;
  return (
    <form onSubmit={onSubmit} noValidate>
      <p>
        Offboarding deletes the tenant&rsquo;s database, its login role and its secrets. Users and API keys stop working
        at once. This cannot be undone. (Exporting the data first is not built yet.)
      </p>
      <ErrorAlert error={offboard.error} />
      <TextField
        label={`Type the slug “${tenant.slug}” to confirm`}
        value={typed}
        onChange={setTyped}
        autoComplete="off"
        spellCheck={false}
      />
      <SubmitButton busy={offboard.busy} busyLabel="Offboarding…" variant="danger" disabled={!confirmed}>
        Offboard {tenant.displayName}
      </SubmitButton>
    </form>
  );
}
