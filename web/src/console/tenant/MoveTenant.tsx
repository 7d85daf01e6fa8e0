/**
 * "Move to another server" (`POST /v1/tenants/{t}/move`): copies an active or suspended tenant's
 * database to another server and serves it from there. The request returns once the move is
 * done (seconds, or the copy's time for a big tenant); meanwhile the tenant's API answers
 * `503 TENANT_MOVING`, so the operator confirms that first. A failure before the switch is
 * undone; one after it leaves a failed job on this page to retry.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { ApiError } from '../../api/errors';
import { useConsole } from '../context';
import type { TenantView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading, Notice } from '../../shared/Status';
import { StatusBadge } from '../../shared/StatusBadge';
import { CheckboxField } from '../../shared/forms/CheckboxField';
import { SelectField } from '../../shared/forms/SelectField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { useLoad } from '../../shared/useLoad';
import { useSubmit } from '../../shared/useSubmit';
import { isMovable, moveFailure, moveTargets } from './moveRules';

export interface MoveTenantProps {
  tenant: TenantView;
  /** Moved: the tenant as the API returned it, on its new server. */
  onChanged: (t: TenantView) => void;
  /** Refused for the tenant's state, or failed part-way: the page reloads the tenant and its jobs. */
  onFailed: () => void;
}

function CurrentServer({ tenant }: { tenant: TenantView }) {
  const db = tenant.database;
  if (!db) return <p className="muted">No database placement.</p>;
  return (
    <p>
      Served from <code>{db.server ?? db.serverId}</code>
      {db.serverHealth ? (
        <>
          {' '}
          <StatusBadge status={db.serverHealth} />
        </>
      ) : null}
      .
    </p>
  );
}

function NotMovable({ tenant }: { tenant: TenantView }) {
  if (tenant.status === 'moving') {
    return (
      <p className="muted">
        A move is in progress: the tenant&rsquo;s API answers 503 until it is served from its new server. Reload the page
        to see where it is.
      </p>
    );
  }
  return <p className="muted">Only an active or suspended tenant can be moved (this one is {tenant.status}).</p>;
}

export function MoveTenant({ tenant, onChanged, onFailed }: MoveTenantProps) {
  const { api } = useConsole();
  const movable = isMovable(tenant);
  const servers = useLoad(async () => (movable ? call(api.GET('/v1/servers')) : null), [api, movable]);
  const [target, setTarget] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [attempt, setAttempt] = useState<{ from: string | null; to: string }>({ from: null, to: '' });
  const [moved, setMoved] = useState<string | null>(null);
  const move = useSubmit(async (to: string) => {
    let next: TenantView;
    try {
      const path = { params: { path: { tenant: tenant.id } } };
      next = await call(api.POST('/v1/tenants/{tenant}/move', { ...path, body: { server: to } }));
    } catch (e) {
      // The tenant may be elsewhere now (or moving already): show it as it is.
      if (e instanceof ApiError && (e.status === 409 || e.status === 502)) onFailed();
      throw e;
    }
    setMoved(next.database?.server ?? to);
    setTarget('');
    setConfirmed(false);
    servers.reload();
    onChanged(next);
  });
  const serverError = fieldError(move.error, 'server');
  const failure = moveFailure(move.error, attempt.from, attempt.to);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!target || !confirmed) return;
    setMoved(null);
    setAttempt({ from: tenant.database?.server ?? null, to: target });
    void move.run(target);
  }

  const targets = moveTargets(servers.data?.items ?? [], tenant);
  return (
    <div>
      <CurrentServer tenant={tenant} />
      {moved ? <Notice>Moved: the tenant is served from {moved} now.</Notice> : null}
      <ErrorAlert error={serverError ? null : move.error} title={failure?.title} message={failure?.message} />
      {!movable ? (
        <NotMovable tenant={tenant} />
      ) : servers.loading && !servers.data ? (
        <Loading label="Loading database servers…" />
      ) : servers.error ? (
        <ErrorAlert error={servers.error} title="The database servers could not be listed" />
      ) : targets.length === 0 ? (
        <Empty>No other database server is registered.</Empty>
      ) : (
        <form onSubmit={onSubmit} noValidate aria-label="Move to another server">
          <p>
            Move to another server: the tenant&rsquo;s database is copied there, then served from it. The old copy is
            removed afterwards.
          </p>
          <SelectField
            label="Target server"
            value={target}
            options={[{ value: '', label: 'Choose a server…' }, ...targets]}
            onChange={(v) => {
              setTarget(v);
              move.setError(null);
            }}
            disabled={move.busy}
            error={serverError}
            hint="Draining and full servers take no tenants; the server checks again when you move."
          />
          <CheckboxField
            label="I understand the tenant’s API answers 503 (TENANT_MOVING) for the duration of the move"
            checked={confirmed}
            onChange={setConfirmed}
            disabled={move.busy}
          />
          <SubmitButton busy={move.busy} busyLabel="Moving… (copying the tenant’s data)" disabled={!target || !confirmed}>
            Move tenant
          </SubmitButton>
        </form>
      )}
    </div>
  );
}
