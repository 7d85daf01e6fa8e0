/**
 * One provisioning job: state, steps, last error; a failed job can be retried from its failed
 * step (`POST /v1/jobs/{id}/retry`) or compensated (`POST /v1/jobs/{id}/compensate`, which
 * removes the tenant's database, role and row).
 */
import { Link } from 'react-router';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { JobView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatDate, shortId } from '../../shared/format';
import { useSubmit } from '../../shared/useSubmit';
import { JobSteps } from './JobSteps';

export interface JobCardProps {
  job: JobView;
  onChanged: (job: JobView) => void;
  showTenant?: boolean;
}

export function JobCard({ job, onChanged, showTenant }: JobCardProps) {
  const { api } = useConsole();
  const retry = useSubmit(async () => onChanged(await call(api.POST('/v1/jobs/{id}/retry', { params: { path: { id: job.id } } }))));
  const compensate = useSubmit(async () =>
    onChanged(await call(api.POST('/v1/jobs/{id}/compensate', { params: { path: { id: job.id } } }))),
  );
  const busy = retry.busy || compensate.busy;
  return (
    <section className="card job" aria-label={`Job ${shortId(job.id)}`}>
      <div className="job-head">
        <h3>
          {job.kind} <code>{shortId(job.id)}</code>
        </h3>
        <StatusBadge status={job.state} />
      </div>
      <p className="muted">
        {showTenant ? (
          <>
            Tenant <Link to={`/tenants/${job.tenantId}`}>{shortId(job.tenantId)}</Link> ·{' '}
          </>
        ) : null}
        started {formatDate(job.createdAt)} · updated {formatDate(job.updatedAt)}
      </p>
      <JobSteps steps={job.steps} currentStep={job.currentStep} jobState={job.state} />
      {job.lastError ? (
        <p className="step-error">
          <strong>Last error:</strong> {job.lastError}
        </p>
      ) : null}
      <ErrorAlert error={retry.error ?? compensate.error} />
      {job.state === 'failed' ? (
        <div className="button-row">
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void retry.run()}>
            {retry.busy ? 'Retrying…' : 'Retry from the failed step'}
          </button>
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void compensate.run()}>
            {compensate.busy ? 'Undoing…' : 'Give up and undo (compensate)'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
