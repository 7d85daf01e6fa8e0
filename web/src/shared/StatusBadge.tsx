/** A tenant, job, user, delivery or storage-health state as a coloured label (the text carries the meaning). */
const TONES: Record<string, string> = {
  active: 'ok',
  succeeded: 'ok',
  done: 'ok',
  delivered: 'ok',
  enabled: 'ok',
  provisioning: 'info',
  pending: 'info',
  running: 'info',
  suspended: 'warn',
  disabled: 'warn',
  offboarding: 'warn',
  moving: 'warn',
  draining: 'warn',
  compensated: 'muted',
  deleted: 'muted',
  failed: 'bad',
  ok: 'ok',
  degraded: 'warn',
  failing: 'bad',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONES[status] ?? 'muted'}`}>{status.replace(/_/g, ' ')}</span>;
}
