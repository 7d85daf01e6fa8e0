/**
 * What "Move to another server" offers and how it explains a failed move
 * (`POST /v1/tenants/{t}/move`). The control plane stays the authority: it refuses a server that
 * takes no more tenants, the tenant's own server, or a tenant whose schema is behind, with a
 * `422` naming the field `server`.
 */
import { ApiError } from '../../api/errors';
import { shortId } from '../../shared/format';
import type { ServerView, TenantView } from '../types';
import { kindLabel, placementBlocker } from '../servers/serverRules';

/** Only these statuses can be moved (`409 INVALID_STATE` otherwise). */
export function isMovable(tenant: TenantView): boolean {
  return tenant.status === 'active' || tenant.status === 'suspended';
}

export interface ServerOption {
  value: string;
  label: string;
  disabled?: boolean;
}

/**
 * The servers the tenant could move to: every server but its current one; those that take no
 * new tenant now (draining, full, dedicated and taken) are listed but disabled, with the reason,
 * and a server whose last check failed says so (the API decides).
 */
export function moveTargets(servers: readonly ServerView[], tenant: TenantView): ServerOption[] {
  const db = tenant.database;
  return servers
    .filter((s) => s.id !== db?.serverId && s.name !== db?.server)
    .map((s) => {
      const blocker = placementBlocker(s);
      const notes = [`${kindLabel(s.kind)}, ${s.placement}`, `${s.tenants} of ${s.capacity} tenants`];
      if (s.health !== 'ok') notes.push(`health ${s.health}`);
      const label = `${s.name} (${notes.join(' · ')})${blocker ? ` — unavailable: ${blocker}` : ''}`;
      return blocker ? { value: s.name, label, disabled: true } : { value: s.name, label };
    });
}

export interface MoveFailure {
  title: string;
  message: string;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

/**
 * A `502 PROVISIONING_FAILED` in the operator's terms: `details.undone` says whether the tenant
 * is back on its old server, or was switched to the new one with the old copy left to clean up
 * (its job is on this page, to retry). Null for any other error: its own message is shown.
 */
export function moveFailure(error: unknown, from: string | null, to: string): MoveFailure | null {
  if (!(error instanceof ApiError) || error.code !== 'PROVISIONING_FAILED' || !error.details) return null;
  const { undone, step, cause, jobId } = error.details;
  if (typeof undone !== 'boolean') return null;
  const where = text(step) ? ` at step ${text(step)}` : '';
  const why = text(cause) ? ` (${text(cause)})` : '';
  const old = from ? `its old server ${from}` : 'its old server';
  if (undone) {
    return {
      title: 'The move failed and was undone',
      message: `Moving to ${to} failed${where}${why}. Nothing changed: the tenant is served from ${old} again.`,
    };
  }
  const job = text(jobId) ? `job ${shortId(text(jobId))}` : 'its job';
  return {
    title: `Moved to ${to}, but the old copy was not cleaned up`,
    message: `The tenant is served from ${to} now, but cleaning up ${old} failed${where}${why}. Retry ${job} under “Provisioning jobs” on this page.`,
  };
}
