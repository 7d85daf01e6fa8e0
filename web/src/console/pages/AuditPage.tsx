/** The control-plane audit log (`GET /v1/audit-events`), newest first, optionally one tenant's. */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Pager, useCursorPager } from '../../shared/Pager';
import { TextField } from '../../shared/forms/TextField';
import { useLoad } from '../../shared/useLoad';
import { AuditTable } from '../tenant/AuditTable';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function AuditPage() {
  const { api } = useConsole();
  const [tenantInput, setTenantInput] = useState('');
  const [tenantId, setTenantId] = useState<string | undefined>();
  const pager = useCursorPager<string>();
  const events = useLoad(
    () => call(api.GET('/v1/audit-events', { params: { query: { tenantId, cursor: pager.cursor, limit: 50 } } })),
    [api, tenantId, pager.cursor],
  );
  const inputError = tenantInput && !UUID.test(tenantInput.trim()) ? 'enter a tenant id (UUID)' : null;

  function onFilter(e: FormEvent) {
    e.preventDefault();
    if (inputError) return;
    setTenantId(tenantInput.trim() || undefined);
    pager.reset();
  }

  return (
    <Page title="Audit log" site="Tenantry console">
      <form className="filters" role="search" aria-label="Filter the audit log" onSubmit={onFilter}>
        <TextField label="Tenant id" value={tenantInput} onChange={setTenantInput} error={inputError} hint="Empty: all tenants." />
        <button type="submit" className="btn btn-secondary">
          Apply
        </button>
      </form>
      <ErrorAlert error={events.error} />
      <AuditTable events={events.data?.items ?? null} loading={events.loading} />
      <Pager
        page={pager.page}
        hasNext={Boolean(events.data?.nextCursor)}
        onNext={() => events.data?.nextCursor && pager.next(events.data.nextCursor)}
        onPrevious={pager.previous}
      />
    </Page>
  );
}
