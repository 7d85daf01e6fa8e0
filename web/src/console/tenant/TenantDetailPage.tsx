/**
 * One tenant: identity, URL, plan, status, database placement (and moving it to another
 * server), storage, branding, inviting an owner, jobs, audit, and its lifecycle.
 */
import { useParams } from 'react-router';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { TenantView } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { JobCard } from './JobCard';
import { AuditTable } from './AuditTable';
import { SuspendResume } from './SuspendResume';
import { OffboardForm } from './OffboardForm';
import { RotateCredentials } from './RotateCredentials';
import { StorageSection } from '../storage/StorageSection';
import { BrandingSection } from './BrandingSection';
import { InviteOwner } from './InviteOwner';
import { MoveTenant } from './MoveTenant';

function Overview({ tenant }: { tenant: TenantView }) {
  const db = tenant.database;
  return (
    <dl className="facts">
      <dt>Status</dt>
      <dd>
        <StatusBadge status={tenant.status} />
        {tenant.statusReason ? <span className="muted"> {tenant.statusReason}</span> : null}
      </dd>
      <dt>Portal and API</dt>
      <dd>{tenant.status === 'deleted' ? '—' : <a href={tenant.url}>{tenant.url}</a>}</dd>
      <dt>Slug</dt>
      <dd>
        <code>{tenant.slug}</code>
      </dd>
      <dt>Id</dt>
      <dd>
        <code>{tenant.id}</code>
      </dd>
      <dt>Plan</dt>
      <dd>{tenant.plan}</dd>
      <dt>Created</dt>
      <dd>{formatDate(tenant.createdAt)}</dd>
      <dt>Updated</dt>
      <dd>{formatDate(tenant.updatedAt)}</dd>
      {tenant.deletedAt ? (
        <>
          <dt>Deleted</dt>
          <dd>{formatDate(tenant.deletedAt)}</dd>
        </>
      ) : null}
      <dt>Database</dt>
      <dd>
        {db ? (
          <>
            <code>{db.name}</code> on server <code>{db.server ?? db.serverId}</code>, role <code>{db.role}</code>
            {db.serverHealth ? (
              <>
                {' '}
                <StatusBadge status={db.serverHealth} />
              </>
            ) : null}
          </>
        ) : (
          'no placement'
        )}
      </dd>
      <dt>Schema version</dt>
      <dd>{db?.schemaVersion ?? '—'}</dd>
      {db?.lastMigrationError ? (
        <>
          <dt>Last migration error</dt>
          <dd className="step-error">{db.lastMigrationError}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function TenantDetailPage() {
  const { api } = useConsole();
  const key = useParams().tenant ?? '';
  const tenant = useLoad(() => call(api.GET('/v1/tenants/{tenant}', { params: { path: { tenant: key } } })), [api, key]);
  const id = tenant.data?.id;
  const jobs = useLoad(
    async () => (id ? call(api.GET('/v1/tenants/{tenant}/jobs', { params: { path: { tenant: id } } })) : null),
    [api, id],
  );
  const audit = useLoad(
    async () => (id ? call(api.GET('/v1/audit-events', { params: { query: { tenantId: id, limit: 20 } } })) : null),
    [api, id],
  );

  function changed(t: TenantView) {
    tenant.setData(t);
    audit.reload();
    jobs.reload();
  }

  /** An action failed part-way or was refused for the tenant's state: show it as it is now. */
  function refresh() {
    tenant.reload();
    audit.reload();
    jobs.reload();
  }

  const t = tenant.data;
  return (
    <Page title={t ? t.displayName : 'Tenant'} site="Tenantry console">
      <ErrorAlert error={tenant.error} />
      {tenant.loading && !t ? <Loading label="Loading the tenant…" /> : null}
      {t ? (
        <>
          <section aria-labelledby="overview">
            <h2 id="overview">Overview</h2>
            <Overview tenant={t} />
          </section>
          {t.status !== 'deleted' ? (
            <section aria-labelledby="storage" className="card">
              <h2 id="storage">Storage</h2>
              <StorageSection tenant={t.id} live={t.status === 'active' || t.status === 'suspended'} onChanged={audit.reload} />
            </section>
          ) : null}
          {t.status !== 'deleted' ? (
            <>
              <section aria-labelledby="branding" className="card">
                <h2 id="branding">Branding</h2>
                {/* Reloaded when the status changes: a suspended tenant's branding answers 409. */}
                <BrandingSection key={t.status} tenant={t.id} onChanged={audit.reload} />
              </section>
              <section aria-labelledby="invite-owner" className="card">
                <h2 id="invite-owner">Invite an owner</h2>
                <InviteOwner tenant={t} onInvited={audit.reload} />
              </section>
            </>
          ) : null}
          <section aria-labelledby="lifecycle" className="card">
            <h2 id="lifecycle">Suspend or resume</h2>
            <SuspendResume tenant={t} onChanged={changed} />
          </section>
          {t.status !== 'deleted' ? (
            <section aria-labelledby="database-server" className="card">
              <h2 id="database-server">Database server</h2>
              <MoveTenant tenant={t} onChanged={changed} onFailed={refresh} />
            </section>
          ) : null}
          <section aria-labelledby="credentials" className="card">
            <h2 id="credentials">Credentials</h2>
            <RotateCredentials tenant={t} />
          </section>
          <section aria-labelledby="jobs">
            <h2 id="jobs">Provisioning jobs</h2>
            <ErrorAlert error={jobs.error} />
            {jobs.data && jobs.data.items.length === 0 ? <Empty>No jobs.</Empty> : null}
            {jobs.data?.items.map((job) => (
              <JobCard key={job.id} job={job} onChanged={() => tenant.reload()} />
            ))}
          </section>
          <section aria-labelledby="audit">
            <h2 id="audit">Recent audit events</h2>
            <ErrorAlert error={audit.error} />
            <AuditTable events={audit.data?.items ?? null} loading={audit.loading} hideTenant />
          </section>
          <section aria-labelledby="offboard" className="card danger-zone">
            <h2 id="offboard">Offboard</h2>
            <OffboardForm tenant={t} onChanged={changed} />
          </section>
        </>
      ) : null}
    </Page>
  );
}
