/** Webhook endpoints: the list, a form for a new one (signing secret shown once). */
import { useState } from 'react';
import { Link } from 'react-router';
import { call } from '../../api/call';
import { useIdentity, usePortal } from '../context';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { ShownOnce } from '../../shared/ShownOnce';
import { StatusBadge } from '../../shared/StatusBadge';
import { useLoad } from '../../shared/useLoad';
import { CreateWebhookForm } from './CreateWebhookForm';

export function WebhooksPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const webhooks = useLoad(() => call(api.GET('/v1/webhooks')), [api]);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);

  return (
    <Page title="Webhooks" site={tenant.displayName}>
      <p>
        Deliveries are signed: check <code>Tenantry-Signature</code> with the endpoint&rsquo;s secret and refuse old
        timestamps.
      </p>
      {secret ? (
        <ShownOnce title={`Signing secret for ${secret.url}`} secret={secret.secret} onDismiss={() => setSecret(null)} />
      ) : null}
      <CreateWebhookForm
        onCreated={(w) => {
          setSecret({ url: w.url, secret: w.secret });
          webhooks.reload();
        }}
      />
      <section aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">Endpoints</h2>
        <ErrorAlert error={webhooks.error} />
        {webhooks.loading && !webhooks.data ? <Loading /> : null}
        {webhooks.data && webhooks.data.items.length === 0 ? <Empty>No endpoints yet.</Empty> : null}
        <ul className="row-list">
          {webhooks.data?.items.map((w) => (
            <li key={w.id}>
              <span>
                <Link to={`/webhooks/${w.id}`}>{w.url}</Link>
                <span className="muted"> {w.events.join(', ')}</span>
                {w.description ? <div className="muted">{w.description}</div> : null}
              </span>
              <StatusBadge status={w.enabled ? 'enabled' : 'disabled'} />
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
