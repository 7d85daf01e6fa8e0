/**
 * The wizard's optional database-server choice: automatic placement (the active shared server
 * with the fewest tenants) or a server to pin the tenant to, from `GET /v1/servers`. Servers
 * that cannot take it now (draining, dedicated and taken, full) are listed but disabled, with
 * the reason. The catalog checks again under a lock; its `422` (field `server`) shows here.
 */
import { useId } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { ServerView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Loading } from '../../shared/Status';
import { useLoad } from '../../shared/useLoad';
import { kindLabel, placementBlocker } from '../servers/serverRules';

export interface ServerChoiceProps {
  value: string;
  onChange: (server: string) => void;
  error: string | null;
}

function ServerLabel({ server: s, blocker }: { server: ServerView; blocker: string | null }) {
  return (
    <span>
      <strong>{s.name}</strong>{' '}
      <span className="muted">
        {kindLabel(s.kind)}, {s.placement} · {s.tenants} of {s.capacity} tenants ·{' '}
      </span>
      <span className={s.health === 'failing' ? 'step-error' : 'muted'}>health {s.health}</span>
      {s.serverVersion ? <span className="muted"> · {s.serverVersion}</span> : null}
      {blocker ? <span className="muted"> — unavailable: {blocker}</span> : null}
    </span>
  );
}

export function ServerChoice({ value, onChange, error }: ServerChoiceProps) {
  const { api } = useConsole();
  const id = useId();
  const servers = useLoad(() => call(api.GET('/v1/servers')), [api]);
  return (
    <fieldset className="radio-group" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>Database server</legend>
      <label className="radio">
        <input type="radio" name="server" value="" checked={value === ''} onChange={() => onChange('')} />
        <span>
          <strong>Automatic: fewest tenants</strong>{' '}
          <span className="muted">The active shared server with the fewest tenants.</span>
        </span>
      </label>
      {servers.loading && !servers.data ? <Loading label="Loading database servers…" /> : null}
      <ErrorAlert error={servers.error} title="The servers could not be listed; automatic placement still works" />
      {servers.data?.items.map((s) => {
        const blocker = placementBlocker(s);
        return (
          <label key={s.id} className="radio">
            <input
              type="radio"
              name="server"
              value={s.name}
              checked={value === s.name}
              disabled={blocker !== null && value !== s.name}
              onChange={() => onChange(s.name)}
            />
            <ServerLabel server={s} blocker={blocker} />
          </label>
        );
      })}
      {error ? (
        <div className="field-error" id={`${id}-error`}>
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}
