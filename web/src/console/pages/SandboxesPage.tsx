/**
 * Live CI sandboxes (`GET /v1/sandboxes`, soonest expiry first), making one now
 * (`POST /v1/sandboxes`: its credentials shown once) and removing one now
 * (`DELETE /v1/sandboxes/{slug}`: database, role, storage, secrets and catalog rows go; only
 * the audit log remembers it). Pipelines make them with `tenantry sandbox up`.
 */
import { useState } from 'react';
import { call, callVoid } from '../../api/call';
import { useConsole } from '../context';
import type { CreatedSandbox, SandboxView } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading, Notice } from '../../shared/Status';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { ConfirmDangerButton } from '../../shared/ConfirmDangerButton';
import { CreateSandboxForm } from '../sandboxes/CreateSandboxForm';
import { CreatedSandboxPanel } from '../sandboxes/CreatedSandboxPanel';

function RemoveSandbox({ sandbox, onRemoved }: { sandbox: SandboxView; onRemoved: (slug: string) => void }) {
  const { api } = useConsole();
  return (
    <ConfirmDangerButton
      verb="Remove"
      busyLabel="Removing…"
      warning="Everything in it is deleted."
      name={sandbox.slug}
      action={async () => {
        await callVoid(api.DELETE('/v1/sandboxes/{sandbox}', { params: { path: { sandbox: sandbox.slug } } }));
        onRemoved(sandbox.slug);
      }}
    />
  );
}

export function SandboxesPage() {
  const { api } = useConsole();
  const sandboxes = useLoad(() => call(api.GET('/v1/sandboxes')), [api]);
  const [removed, setRemoved] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedSandbox | null>(null);
  const items = sandboxes.data?.items ?? [];

  function onCreated(sandbox: CreatedSandbox) {
    setCreating(false);
    setCreated(sandbox);
    sandboxes.reload();
  }

  function onRemoved(slug: string) {
    sandboxes.setData((current) => ({ items: (current?.items ?? []).filter((s) => s.slug !== slug) }));
    setRemoved(slug);
  }

  return (
    <Page
      title="Sandboxes"
      site="Tenantry console"
      actions={
        <>
          {creating ? null : (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setRemoved(null);
                setCreated(null);
                setCreating(true);
              }}
            >
              Create a sandbox
            </button>
          )}
          <button type="button" className="btn btn-secondary" onClick={sandboxes.reload} disabled={sandboxes.loading}>
            Refresh
          </button>
        </>
      }
    >
      <p>
        Throwaway tenants for CI pipelines, made with a <code>sandbox</code> API token (<code>tenantry sandbox up</code>)
        and removed when they expire.
      </p>
      {creating ? <CreateSandboxForm onCreated={onCreated} onCancel={() => setCreating(false)} /> : null}
      {created ? <CreatedSandboxPanel sandbox={created} onDismiss={() => setCreated(null)} /> : null}
      {removed ? <Notice>Removed {removed}.</Notice> : null}
      <ErrorAlert error={sandboxes.error} />
      {sandboxes.loading && !sandboxes.data ? <Loading label="Loading sandboxes…" /> : null}
      {sandboxes.data && items.length === 0 ? <Empty>No live sandboxes.</Empty> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Live sandboxes, soonest expiry first</caption>
            <thead>
              <tr>
                <th scope="col">Sandbox</th>
                <th scope="col">Status</th>
                <th scope="col">URL</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <td data-label="Sandbox">
                    <code>{s.slug}</code>
                    {s.displayName !== s.slug ? <div className="muted">{s.displayName}</div> : null}
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={s.status} />
                  </td>
                  <td data-label="URL">
                    <a href={s.url}>{s.url}</a>
                  </td>
                  <td data-label="Expires">{formatDate(s.expiresAt)}</td>
                  <td data-label="Actions">
                    <RemoveSandbox sandbox={s} onRemoved={onRemoved} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}
