/**
 * The workspace's storage at a glance (`GET /v1/storage`): usage against the plan's quota, the
 * upload limit, where files live, whether they are encrypted, and a warning while the primary
 * backend is out and uploads wait on the fallback.
 */
import type { StorageStatus } from '../../api/files';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Loading } from '../../shared/Status';
import { formatBytes } from '../../shared/format';

const KIND_NAMES: Record<string, string> = {
  platform: 'the platform’s storage',
  nas: 'a network share (NAS)',
  s3: 'S3-compatible object storage',
  azure: 'Azure Blob Storage',
};

export function kindName(kind: string): string {
  return KIND_NAMES[kind] ?? kind;
}

function percent(used: number, quota: number): string {
  if (quota <= 0) return '';
  const p = (used / quota) * 100;
  if (p === 0) return '0 %';
  return p < 0.1 ? '< 0.1 %' : `${p.toFixed(p < 10 ? 1 : 0)} %`;
}

export function DegradedWarning({ status }: { status: StorageStatus }) {
  if (!status.degraded) return null;
  const n = status.queueLength;
  return (
    <div className="alert alert-warn" role="status" data-testid="storage-degraded">
      <strong>Storage degraded — {n === 1 ? '1 file' : `${n} files`} waiting to reach the primary.</strong>
      <p>
        The primary backend ({kindName(status.primary)}) does not answer. Uploads go to the fallback
        {status.fallback ? ` (${kindName(status.fallback)})` : ''} and are copied over when the primary is back;
        downloads keep working.
      </p>
    </div>
  );
}

export interface StoragePanelProps {
  status: StorageStatus | null;
  error: unknown;
  loading: boolean;
}

export function StoragePanel({ status, error, loading }: StoragePanelProps) {
  return (
    <section className="card" aria-labelledby="storage-heading">
      <h2 id="storage-heading">Storage</h2>
      <ErrorAlert error={error} title="The storage status could not be loaded" />
      {loading && !status ? <Loading label="Loading the storage status…" /> : null}
      {status ? (
        <>
          <DegradedWarning status={status} />
          <div className="usage">
            <meter
              className="usage-meter"
              min={0}
              max={Math.max(status.quotaBytes, 1)}
              value={status.usedBytes}
              high={status.quotaBytes * 0.9}
              aria-labelledby="usage-text"
            />
            <p id="usage-text" data-testid="storage-usage">
              {formatBytes(status.usedBytes)} of {formatBytes(status.quotaBytes)} used
              {status.quotaBytes > 0 ? ` (${percent(status.usedBytes, status.quotaBytes)})` : ''}
            </p>
          </div>
          <dl className="facts">
            <dt>Largest upload</dt>
            <dd>{formatBytes(status.maxUploadBytes)}</dd>
            <dt>Stored on</dt>
            <dd>
              {kindName(status.primary)}
              {status.fallback ? <>, with {kindName(status.fallback)} as the fallback</> : null}
            </dd>
            <dt>Encryption</dt>
            <dd>
              {status.encrypted
                ? 'Encrypted with this workspace’s own key before it leaves the platform.'
                : 'Not encrypted by the platform (the backend may encrypt at rest).'}
            </dd>
          </dl>
        </>
      ) : null}
    </section>
  );
}
