/**
 * One database server in the list, with its actions: edit capacity, placement, state and how
 * the platform reaches it (TLS mode, CA bundle, client certificate, admin password; a form in
 * a row below), drain (takes no new tenants; its tenants stay) or activate, check now (`POST
 * /v1/servers/{name}/check`, which records its health), rotate the admin password after a
 * confirmation (`POST /v1/servers/{name}/rotate-password`: the platform sets a new random one
 * on the server; not offered for `default`, whose password is the control plane's
 * configuration), and remove after typing its name (`409 INVALID_STATE` while tenant databases
 * are on it; the message shows on the row). The Server column says when the admin password
 * last changed through the platform (an edit or a rotation). The TLS column says until when
 * the server's certificate (as the last check read it), its registered CA and the client
 * certificate the platform presents to it are valid; within 30 days of the certificate's end
 * the health detail warns (while the health is `ok` the detail is shown as a warning,
 * otherwise as an error).
 */
import { useEffect, useRef, useState } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { ServerCheckView, ServerView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatDate } from '../../shared/format';
import { useSubmit } from '../../shared/useSubmit';
import { kindLabel, tlsLabel } from './serverRules';
import { RemoveServerForm } from './RemoveServerForm';
import { EditServerForm } from './EditServerForm';
import { RotatePasswordForm } from './RotatePasswordForm';

/** Its admin password comes from `TENANTRY_DATABASE_URL`, so the platform refuses to rotate it. */
const CONFIGURED_SERVER = 'default';

export interface ServerRowProps {
  server: ServerView;
  onChanged: (server: ServerView) => void;
  onRemoved: (name: string) => void;
}

function checkSummary(view: ServerCheckView): string {
  const c = view.check;
  if (!c) return 'Check failed: see the health column.';
  return `Check passed: ${c.version}, ${c.tls ? 'TLS' : 'no TLS'}, ${c.superuser ? 'superuser' : 'not superuser'}, max ${c.maxConnections} connections.`;
}

/** The last check's detail: a warning while the server is healthy (e.g. its certificate ends soon), an error otherwise. */
function HealthDetail({ server }: { server: ServerView }) {
  if (!server.healthDetail) return null;
  if (server.health !== 'ok') return <div className="step-error">{server.healthDetail}</div>;
  return (
    <div className="step-warning">
      <strong>Warning:</strong> {server.healthDetail}
    </div>
  );
}

/** Focus goes back to the button that opened a form when the form closes, so keyboard users keep their place. */
function useFocusOnClose(open: boolean) {
  const button = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (!open && wasOpen.current) button.current?.focus();
    wasOpen.current = open;
  }, [open]);
  return button;
}

export function ServerRow({ server, onChanged, onRemoved }: ServerRowProps) {
  const { api } = useConsole();
  const [removing, setRemoving] = useState(false);
  const [editing, setEditing] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [checked, setChecked] = useState<string | null>(null);
  const editButton = useFocusOnClose(editing);
  const rotateButton = useFocusOnClose(rotating);
  const path = { params: { path: { name: server.name } } };
  const draining = server.state === 'draining';
  const setState = useSubmit(async () => {
    onChanged(await call(api.PATCH('/v1/servers/{name}', { ...path, body: { state: draining ? 'active' : 'draining' } })));
  });
  const check = useSubmit(async () => {
    setChecked(null);
    const view = await call(api.POST('/v1/servers/{name}/check', path));
    onChanged(view.server);
    setChecked(checkSummary(view));
  });
  const busy = setState.busy || check.busy || editing;
  const name = <span className="visually-hidden">{server.name}</span>;

  return (
    <>
      <tr>
        <td data-label="Server">
          <strong>{server.name}</strong>
          <div className="muted">
            <code>
              {server.host}:{server.port}
            </code>
          </div>
          {server.adminPasswordChangedAt ? (
            <div className="muted">password changed {formatDate(server.adminPasswordChangedAt)}</div>
          ) : null}
        </td>
        <td data-label="Kind">{kindLabel(server.kind)}</td>
        <td data-label="Placement">{server.placement}</td>
        <td data-label="State">
          <StatusBadge status={server.state} />
        </td>
        <td data-label="Tenants">
          {server.tenants} of {server.capacity}
        </td>
        <td data-label="Health">
          <StatusBadge status={server.health} />
          <HealthDetail server={server} />
          <div className="muted">checked {formatDate(server.checkedAt)}</div>
        </td>
        <td data-label="Version">{server.serverVersion ?? '—'}</td>
        <td data-label="TLS">
          {tlsLabel(server)}
          {server.tlsCertificateExpiresAt ? (
            <div className="muted">certificate until {formatDate(server.tlsCertificateExpiresAt)}</div>
          ) : null}
          {server.tlsCaExpiresAt ? <div className="muted">CA until {formatDate(server.tlsCaExpiresAt)}</div> : null}
          {server.tlsClientCertificate ? (
            <div className="muted">
              client certificate
              {server.tlsClientCertificateExpiresAt ? ` until ${formatDate(server.tlsClientCertificateExpiresAt)}` : null}
            </div>
          ) : null}
        </td>
        <td data-label="Actions">
          {removing ? (
            <RemoveServerForm server={server} onRemoved={() => onRemoved(server.name)} onCancel={() => setRemoving(false)} />
          ) : rotating ? (
            <RotatePasswordForm
              server={server}
              onCancel={() => setRotating(false)}
              onRotated={(next) => {
                onChanged(next);
                setRotating(false);
                setChecked(`Rotated the admin password of ${next.name}.`);
              }}
            />
          ) : (
            <div className="button-row">
              <button
                type="button"
                ref={editButton}
                className="btn btn-secondary"
                aria-expanded={editing}
                disabled={setState.busy || check.busy}
                onClick={() => {
                  setChecked(null);
                  setEditing((e) => !e);
                }}
              >
                Edit {name}
              </button>
              <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => void setState.run()}>
                {setState.busy ? 'Saving…' : draining ? <>Activate {name}</> : <>Drain {name}</>}
              </button>
              <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => void check.run()}>
                {check.busy ? 'Checking…' : <>Check now {name}</>}
              </button>
              {server.name === CONFIGURED_SERVER ? null : (
                <button
                  type="button"
                  ref={rotateButton}
                  className="btn btn-secondary"
                  disabled={busy}
                  onClick={() => {
                    setChecked(null);
                    setRotating(true);
                  }}
                >
                  Rotate password {name}
                </button>
              )}
              <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setRemoving(true)}>
                Remove {name}
              </button>
            </div>
          )}
          <div className="muted" role="status" aria-live="polite">
            {checked}
          </div>
          <ErrorAlert error={setState.error ?? check.error} />
        </td>
      </tr>
      {editing ? (
        <tr className="edit-row">
          <td colSpan={9}>
            <EditServerForm
              server={server}
              onCancel={() => setEditing(false)}
              onSaved={(next) => {
                onChanged(next);
                setEditing(false);
                setChecked(`Saved ${next.name}.`);
              }}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}
