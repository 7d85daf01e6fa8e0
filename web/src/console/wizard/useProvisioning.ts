/**
 * Creates the tenant and follows its provisioning job. `POST /v1/tenants` answers only once the
 * tenant is ready (or failed), so while it runs the job is polled through
 * `GET /v1/tenants/{slug}/jobs` to show each step as it completes. A failure answers
 * `502 PROVISIONING_FAILED` with `details.jobId`; that job can then be retried or compensated.
 * An invited first admin's one-time code comes only in the create call's answer (a retried
 * job's tenant has none: the wizard then offers to issue one).
 */
import { useRef, useState } from 'react';
import { call } from '../../api/call';
import { ApiError } from '../../api/errors';
import type { ControlApi } from '../../api/control';
import type { components } from '../../api/generated/control-plane';
import type { JobView, OwnerInvitation, TenantView } from '../types';

export type CreateTenantBody = components['schemas']['CreateTenantBody'];
export type ProvisioningPhase = 'idle' | 'running' | 'ready' | 'failed' | 'compensated';

export const POLL_INTERVAL_MS = 400;

export function useProvisioning(api: ControlApi) {
  const [phase, setPhase] = useState<ProvisioningPhase>('idle');
  const [job, setJob] = useState<JobView | null>(null);
  const [tenant, setTenant] = useState<TenantView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [invitation, setInvitation] = useState<OwnerInvitation | null>(null);
  const polling = useRef(false);

  async function poll(slug: string) {
    while (polling.current) {
      try {
        const jobs = await call(api.GET('/v1/tenants/{tenant}/jobs', { params: { path: { tenant: slug } } }));
        const live = jobs.items.find((j) => j.state === 'pending' || j.state === 'running');
        if (live && polling.current) setJob(live);
      } catch {
        // The tenant row may not exist yet (404) — keep polling until the create call answers.
      }
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
  }

  async function start(body: CreateTenantBody) {
    setPhase('running');
    setError(null);
    setJob(null);
    setTenant(null);
    setInvitation(null);
    polling.current = true;
    void poll(body.slug);
    try {
      const created = await call(api.POST('/v1/tenants', { body }));
      polling.current = false;
      setTenant(created);
      setInvitation(created.adminInvitation ?? null);
      const jobs = await call(api.GET('/v1/tenants/{tenant}/jobs', { params: { path: { tenant: created.id } } })).catch(
        () => null,
      );
      setJob(jobs?.items[0] ?? null);
      setPhase('ready');
    } catch (e) {
      polling.current = false;
      setError(e);
      const jobId = e instanceof ApiError && e.code === 'PROVISIONING_FAILED' ? e.details?.jobId : undefined;
      if (typeof jobId === 'string') {
        setJob(await call(api.GET('/v1/jobs/{id}', { params: { path: { id: jobId } } })).catch(() => null));
        setPhase('failed');
      } else {
        setJob(null);
        setPhase('idle');
      }
    }
  }

  /** After a retry or compensation from the job card. */
  async function jobChanged(next: JobView) {
    setJob(next);
    if (next.state === 'succeeded') {
      setError(null);
      try {
        setTenant(await call(api.GET('/v1/tenants/{tenant}', { params: { path: { tenant: next.tenantId } } })));
        setPhase('ready');
      } catch (e) {
        setError(e);
      }
    } else if (next.state === 'compensated') {
      setError(null);
      setPhase('compensated');
    }
  }

  function reset() {
    setPhase('idle');
    setError(null);
    setJob(null);
    setTenant(null);
    setInvitation(null);
  }

  return { phase, job, tenant, error, invitation, start, jobChanged, reset };
}
