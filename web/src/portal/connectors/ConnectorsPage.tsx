/** Connectors hub: Stripe, e-mail (SMTP), storage (S3) and push, each configured on its card. */
import { call } from '../../api/call';
import { useIdentity, usePortal } from '../context';
import type { ConnectorView } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Loading } from '../../shared/Status';
import { useLoad } from '../../shared/useLoad';
import { ConnectorCard } from './ConnectorCard';

export function ConnectorsPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const connectors = useLoad(() => call(api.GET('/v1/connectors')), [api]);

  function replace(next: ConnectorView) {
    if (!connectors.data) return;
    connectors.setData({ items: connectors.data.items.map((c) => (c.key === next.key ? next : c)) });
  }

  return (
    <Page title="Connectors" site={tenant.displayName}>
      <p>Secrets are sealed with this workspace&rsquo;s own key and can be replaced or removed, never read back.</p>
      <ErrorAlert error={connectors.error} />
      {connectors.loading && !connectors.data ? <Loading /> : null}
      {connectors.data?.items.map((c) => <ConnectorCard key={c.key} connector={c} onChanged={replace} />)}
    </Page>
  );
}
