/**
 * The tenants dashboard: `GET /v1/tenants` (newest first, cursor pages, filter by status), with
 * each tenant's database server, schema version and that server's health. The API has no text
 * search, so the search box filters the page on screen and says so. Below 640 px the rows are
 * stacked cards (styles.css), so the extra columns cost no horizontal scrolling.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { TENANT_STATUSES, type TenantView } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { StatusBadge } from '../../shared/StatusBadge';
import { Pager, useCursorPager } from '../../shared/Pager';
import { SelectField } from '../../shared/forms/SelectField';
import { TextField } from '../../shared/forms/TextField';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { DatabaseCells } from '../tenant/DatabaseCells';

const STATUS_OPTIONS = [{ value: '', label: 'Any status' }, ...TENANT_STATUSES.map((s) => ({ value: s, label: s }))];
const SIZE_OPTIONS = ['20', '50', '100'].map((n) => ({ value: n, label: `${n} per page` }));

function matches(t: TenantView, q: string): boolean {
  const needle = q.trim().toLowerCase();
  return !needle || t.slug.includes(needle) || t.displayName.toLowerCase().includes(needle) || t.id.startsWith(needle);
}

export function TenantsPage() {
  const { api } = useConsole();
  const [status, setStatus] = useState('');
  const [size, setSize] = useState('20');
  const [search, setSearch] = useState('');
  const pager = useCursorPager<string>();
  const tenants = useLoad(
    () =>
      call(
        api.GET('/v1/tenants', {
          params: { query: { limit: Number(size), cursor: pager.cursor, status: status || undefined } },
        }),
      ),
    [api, size, status, pager.cursor],
  );
  const shown = tenants.data?.items.filter((t) => matches(t, search)) ?? [];

  return (
    <Page
      title="Tenants"
      site="Tenantry console"
      actions={
        <Link className="btn btn-primary" to="/tenants/new">
          Onboard a tenant
        </Link>
      }
    >
      <div className="filters" role="search" aria-label="Filter tenants">
        <SelectField
          label="Status"
          value={status}
          options={STATUS_OPTIONS}
          onChange={(v) => {
            setStatus(v);
            pager.reset();
          }}
        />
        <SelectField
          label="Page size"
          value={size}
          options={SIZE_OPTIONS}
          onChange={(v) => {
            setSize(v);
            pager.reset();
          }}
        />
        <TextField
          label="Search this page"
          type="search"
          value={search}
          onChange={setSearch}
          hint="Name, slug or id prefix, among the tenants on this page."
        />
      </div>
      <ErrorAlert error={tenants.error} />
      {tenants.loading && !tenants.data ? <Loading label="Loading tenants…" /> : null}
      {tenants.data && shown.length === 0 ? (
        <Empty>
          {tenants.data.items.length === 0 && !status && pager.page === 1 ? (
            <>
              No tenants yet. <Link to="/tenants/new">Onboard the first one</Link>.
            </>
          ) : (
            'No tenant matches these filters.'
          )}
        </Empty>
      ) : null}
      {shown.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Tenants, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Slug</th>
                <th scope="col">Status</th>
                <th scope="col">Plan</th>
                <th scope="col">Database server</th>
                <th scope="col">Schema</th>
                <th scope="col">Health</th>
                <th scope="col">Created</th>
                <th scope="col">URL</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => (
                <tr key={t.id}>
                  <td data-label="Name">
                    <Link to={`/tenants/${t.slug}`}>{t.displayName}</Link>
                  </td>
                  <td data-label="Slug" className="nowrap">
                    <code>{t.slug}</code>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={t.status} />
                    {t.statusReason ? <span className="muted"> {t.statusReason}</span> : null}
                  </td>
                  <td data-label="Plan">{t.plan}</td>
                  <DatabaseCells tenant={t} />
                  <td data-label="Created">{formatDate(t.createdAt)}</td>
                  <td data-label="URL">
                    {t.status === 'deleted' ? <span className="muted">—</span> : <a href={t.url}>{t.url}</a>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager
        page={pager.page}
        hasNext={Boolean(tenants.data?.nextCursor)}
        onNext={() => tenants.data?.nextCursor && pager.next(tenants.data.nextCursor)}
        onPrevious={pager.previous}
      />
    </Page>
  );
}
