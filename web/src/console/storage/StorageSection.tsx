/**
 * The tenant page's storage section: where its files live (`GET /v1/tenants/{t}/storage`; `404`
 * means none is configured), the last health check, and the form to register a tenant-hosted
 * backend (or change the current one).
 */
import { useEffect, useRef, useState } from 'react';
import { useConsole } from '../context';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Loading, Notice } from '../../shared/Status';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { getStorage, type StorageView } from './storageApi';
import { describeBackend } from './storageDraft';
import { StorageForm } from './StorageForm';

export function StorageFacts({ view }: { view: StorageView }) {
  return (
    <dl className="facts" data-testid="storage-facts">
      <dt>Primary</dt>
      <dd>{describeBackend(view.primary)}</dd>
      <dt>Fallback</dt>
      <dd>{view.fallback ? describeBackend(view.fallback) : 'none'}</dd>
      <dt>Encrypted</dt>
      <dd>{view.encrypted ? 'yes, with the tenant’s key' : 'no'}</dd>
      <dt>Health</dt>
      <dd>
        <StatusBadge status={view.health} />
        {view.healthDetail ? <span className="muted"> {view.healthDetail}</span> : null}
      </dd>
      <dt>Checked</dt>
      <dd>{view.checkedAt ? formatDate(view.checkedAt) : 'not yet'}</dd>
    </dl>
  );
}

export interface StorageSectionProps {
  /** Tenant id or slug. */
  tenant: string;
  /** Active or suspended: the only states in which the storage can change. */
  live: boolean;
  /** After a change was saved (the page reloads its audit events). */
  onChanged?: () => void;
}

export function StorageSection({ tenant, live, onChanged }: StorageSectionProps) {
  const { api } = useConsole();
  const storage = useLoad(() => getStorage(api, tenant), [api, tenant]);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Back to the button that opened the form when it closes, so keyboard users keep their place.
  useEffect(() => {
    if (wasEditing.current && !editing) toggle.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const view = storage.data;
  return (
    <>
      <ErrorAlert error={storage.error} title="The storage could not be loaded" />
      {storage.loading && view === null && !storage.error ? <Loading label="Loading the storage…" /> : null}
      {saved ? <Notice>The backends passed their live check and are in use now.</Notice> : null}
      {view ? <StorageFacts view={view} /> : null}
      {!storage.loading && !storage.error && view === null ? <p>No storage is configured for this tenant.</p> : null}
      {!live ? (
        <p className="muted">Storage can be changed while the tenant is active or suspended.</p>
      ) : editing ? (
        <StorageForm
          tenant={tenant}
          current={view}
          onSaved={(next) => {
            storage.setData(next);
            setSaved(true);
            setEditing(false);
            onChanged?.();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <button
          type="button"
          ref={toggle}
          className="btn btn-secondary"
          onClick={() => {
            setSaved(false);
            setEditing(true);
          }}
        >
          {view && view.primary.kind !== 'platform' ? 'Change the storage backends' : 'Register a tenant-hosted backend'}
        </button>
      )}
    </>
  );
}
