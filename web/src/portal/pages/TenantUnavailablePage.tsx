/** Shown instead of the portal while the tenant is suspended, being removed, unknown, not ready or being moved. */
import { usePortal } from '../context';
import type { Unavailable } from '../availability';
import { Page } from '../../shared/Page';

const TITLES: Record<string, string> = {
  TENANT_SUSPENDED: 'This workspace is suspended',
  TENANT_GONE: 'This workspace has been closed',
  TENANT_NOT_FOUND: 'There is no workspace here',
  TENANT_NOT_READY: 'This workspace is being set up',
  TENANT_MOVING: 'This workspace is being moved',
};

const ADVICE: Record<string, string> = {
  TENANT_SUSPENDED: 'Nobody can sign in or use its API until the platform operator resumes it. Your data is kept.',
  TENANT_GONE: 'Its data has been or is being deleted.',
  TENANT_NOT_FOUND: 'Check the address.',
  TENANT_NOT_READY: 'Try again in a moment.',
  TENANT_MOVING: 'Its data is being copied to another server; nothing is lost. Try again in a few seconds.',
};

export function TenantUnavailablePage({ unavailable }: { unavailable: Unavailable }) {
  const { availability } = usePortal();
  return (
    <main id="main" className="auth-main">
      <Page title={TITLES[unavailable.code] ?? 'This workspace is unavailable'} narrow>
        <div className="alert alert-warn" role="alert" data-code={unavailable.code}>
          <p className="alert-message">{unavailable.message}</p>
          <p className="alert-meta">
            <code>{unavailable.code}</code>
          </p>
        </div>
        <p>{ADVICE[unavailable.code]}</p>
        <button type="button" className="btn btn-primary" onClick={() => availability.set(null)}>
          Try again
        </button>
      </Page>
    </main>
  );
}
