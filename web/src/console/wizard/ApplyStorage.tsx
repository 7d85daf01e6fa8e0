/**
 * The wizard's last act: registering the tenant-hosted storage chosen in the storage step, once
 * the tenant exists (the live check needs the tenant). The tenant is created whatever happens
 * here and keeps the platform's storage until this succeeds; a failed check shows the form
 * again with the server's message at the backend it names, to fix and retry.
 */
import { useEffect, useRef, useState } from 'react';
import { useConsole } from '../context';
import type { TenantView } from '../types';
import { Loading, Notice } from '../../shared/Status';
import { putStorage, type StorageView } from '../storage/storageApi';
import { describeBackend, storageBody, type StorageDraft } from '../storage/storageDraft';
import { StorageForm } from '../storage/StorageForm';

type State = { phase: 'applying' } | { phase: 'done'; view: StorageView } | { phase: 'failed'; error: unknown };

export interface ApplyStorageProps {
  tenant: TenantView;
  draft: StorageDraft;
  /** Registered: the wizard can forget the secrets it held. */
  onApplied: () => void;
}

export function ApplyStorage({ tenant, draft, onApplied }: ApplyStorageProps) {
  const { api } = useConsole();
  const [state, setState] = useState<State>({ phase: 'applying' });
  // Once per tenant, also when React replays effects in development.
  const started = useRef<string | null>(null);

  function applied(view: StorageView) {
    setState({ phase: 'done', view });
    onApplied();
  }

  useEffect(() => {
    if (started.current === tenant.id) return;
    started.current = tenant.id;
    putStorage(api, tenant.id, storageBody(draft)).then(applied, (error: unknown) => setState({ phase: 'failed', error }));
    // The draft is sent as it was when the tenant was created; later edits go through the form.
  }, [api, tenant.id]);

  return (
    <section aria-labelledby="apply-storage-heading" className="card">
      <h3 id="apply-storage-heading">Storage</h3>
      {state.phase === 'applying' ? <Loading label="Checking the tenant-hosted storage and registering it…" /> : null}
      {state.phase === 'done' ? (
        <Notice>
          Files go to {describeBackend(state.view.primary)}
          {state.view.fallback ? `, with ${describeBackend(state.view.fallback)} as the fallback` : ''}: it passed its live check.
        </Notice>
      ) : null}
      {state.phase === 'failed' ? (
        <>
          <p>
            The tenant was created and uses the platform’s storage for now. Fix the backend below and check again, or
            register one later from the tenant’s page.
          </p>
          <StorageForm
            tenant={tenant.id}
            current={null}
            initialDraft={draft}
            initialError={state.error}
            submitLabel="Check again and save"
            onSaved={applied}
          />
        </>
      ) : null}
    </section>
  );
}
