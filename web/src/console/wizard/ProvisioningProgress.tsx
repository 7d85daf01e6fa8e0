/** The create step of the wizard: live steps, then the new tenant's links, or retry on failure. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { JobView, TenantView } from '../types';
import type { ProvisioningPhase } from './useProvisioning';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Notice } from '../../shared/Status';
import { JobSteps } from '../tenant/JobSteps';
import { JobCard } from '../tenant/JobCard';

export interface ProvisioningProgressProps {
  phase: ProvisioningPhase;
  job: JobView | null;
  tenant: TenantView | null;
  error: unknown;
  onJobChanged: (job: JobView) => void;
  onStartOver: () => void;
  /** Shown once the tenant is ready (the wizard's storage registration). */
  afterReady?: ReactNode;
}

export function ProvisioningProgress({ phase, job, tenant, error, onJobChanged, onStartOver, afterReady }: ProvisioningProgressProps) {
  return (
    <section aria-labelledby="progress-heading" aria-busy={phase === 'running'}>
      <h2 id="progress-heading" tabIndex={-1}>
        {phase === 'running' ? 'Creating the tenant…' : phase === 'ready' ? 'The tenant is ready' : 'Provisioning'}
      </h2>
      <p role="status" aria-live="polite" className="visually-hidden">
        {phase === 'running' ? `Provisioning${job?.currentStep ? `: ${job.currentStep}` : ''}` : phase}
      </p>
      {phase === 'running' ? <JobSteps steps={job?.steps ?? {}} currentStep={job?.currentStep ?? 'reserve'} jobState="running" /> : null}
      {phase === 'ready' && tenant ? (
        <>
          <Notice>
            <strong>{tenant.displayName}</strong> is ready: its database answered a login and a write as its own role.
          </Notice>
          {tenant.database?.server ? (
            <p>
              Its database is on server <code>{tenant.database.server}</code>.
            </p>
          ) : null}
          {afterReady}
          {job ? <JobSteps steps={job.steps} currentStep={job.currentStep} jobState={job.state} /> : null}
          <ul className="link-list">
            <li>
              Portal: <a href={tenant.url}>{tenant.url}</a>
            </li>
            <li>
              <Link to={`/tenants/${tenant.slug}`}>Open the tenant in the console</Link>
            </li>
            <li>
              <button type="button" className="btn btn-link" onClick={onStartOver}>
                Onboard another tenant
              </button>
            </li>
          </ul>
        </>
      ) : null}
      {phase === 'failed' ? (
        <>
          <ErrorAlert error={error} title="Provisioning failed" />
          {job ? <JobCard job={job} onChanged={onJobChanged} /> : null}
        </>
      ) : null}
      {phase === 'compensated' ? (
        <>
          <Notice>The failed provisioning was undone; the slug is free again.</Notice>
          <button type="button" className="btn btn-primary" onClick={onStartOver}>
            Start over
          </button>
        </>
      ) : null}
    </section>
  );
}
