/**
 * The database servers tenant databases live on (`GET /v1/servers`): kind, placement, state,
 * tenants against capacity, health from the last check (the prober's or "check now"), the
 * Postgres version and how the control plane connects (TLS mode); registering one with a live
 * check; drain/activate, check and remove.
 */
import { useState } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { ServerCheckView, ServerView } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading, Notice } from '../../shared/Status';
import { useLoad } from '../../shared/useLoad';
import { RegisterServerForm } from './RegisterServerForm';
import { ServerRow } from './ServerRow';

function registeredNotice(view: ServerCheckView): string {
  const c = view.check;
  const found = c ? ` ${c.version}, ${c.tls ? 'TLS' : 'no TLS'}, max ${c.maxConnections} connections.` : '';
  return `Registered ${view.server.name}: it passed its live check.${found}`;
}

export function ServersPage() {
  const { api } = useConsole();
  const servers = useLoad(() => call(api.GET('/v1/servers')), [api]);
  const [registering, setRegistering] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const items = servers.data?.items ?? [];

  function replace(next: ServerView) {
    servers.setData((current) => ({ items: (current?.items ?? []).map((s) => (s.id === next.id ? next : s)) }));
  }

  function removed(name: string) {
    servers.setData((current) => ({ items: (current?.items ?? []).filter((s) => s.name !== name) }));
    setNotice(`Removed ${name}.`);
  }

  function registered(view: ServerCheckView) {
    setRegistering(false);
    setNotice(registeredNotice(view));
    servers.reload();
  }

  return (
    <Page
      title="Database servers"
      site="Tenantry console"
      actions={
        registering ? null : (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setNotice(null);
              setRegistering(true);
            }}
          >
            Register a server
          </button>
        )
      }
    >
      <p>
        New tenants go to the active shared server with the fewest tenants unless the wizard pins one. A draining server
        takes no new tenants; its tenants stay.
      </p>
      {notice ? <Notice>{notice}</Notice> : null}
      {registering ? <RegisterServerForm onRegistered={registered} onCancel={() => setRegistering(false)} /> : null}
      <ErrorAlert error={servers.error} />
      {servers.loading && !servers.data ? <Loading label="Loading database servers…" /> : null}
      {servers.data && items.length === 0 ? <Empty>No database servers are registered.</Empty> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Database servers</caption>
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Kind</th>
                <th scope="col">Placement</th>
                <th scope="col">State</th>
                <th scope="col">Tenants</th>
                <th scope="col">Health</th>
                <th scope="col">Version</th>
                <th scope="col">TLS</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <ServerRow key={s.id} server={s} onChanged={replace} onRemoved={removed} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}
