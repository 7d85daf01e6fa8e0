/** Recent provisioning jobs across tenants (`GET /v1/jobs`), filterable by state. */
import { useState } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import { JOB_STATES } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { SelectField } from '../../shared/forms/SelectField';
import { useLoad } from '../../shared/useLoad';
import { JobCard } from '../tenant/JobCard';

const STATE_OPTIONS = [{ value: '', label: 'Any state' }, ...JOB_STATES.map((s) => ({ value: s, label: s }))];

export function JobsPage() {
  const { api } = useConsole();
  const [state, setState] = useState('');
  const jobs = useLoad(
    () => call(api.GET('/v1/jobs', { params: { query: { state: state || undefined, limit: 50 } } })),
    [api, state],
  );
  return (
    <Page title="Provisioning jobs" site="Tenantry console">
      <div className="filters" role="search" aria-label="Filter jobs">
        <SelectField label="State" value={state} options={STATE_OPTIONS} onChange={setState} />
      </div>
      <ErrorAlert error={jobs.error} />
      {jobs.loading && !jobs.data ? <Loading label="Loading jobs…" /> : null}
      {jobs.data && jobs.data.items.length === 0 ? <Empty>No jobs.</Empty> : null}
      {jobs.data?.items.map((job) => <JobCard key={job.id} job={job} onChanged={jobs.reload} showTenant />)}
    </Page>
  );
}
