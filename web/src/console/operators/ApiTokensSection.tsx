/**
 * API tokens for CI and scripts (`GET /v1/api-tokens`: never the token, only a hint), a form
 * for a new one whose token is shown exactly once, and revocation.
 */
import { useState } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { CreatedApiToken } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { ShownOnce } from '../../shared/ShownOnce';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { CreateApiTokenForm } from './CreateApiTokenForm';
import { RevokeTokenButton } from './RevokeTokenButton';

export function ApiTokensSection() {
  const { api } = useConsole();
  const tokens = useLoad(() => call(api.GET('/v1/api-tokens')), [api]);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const items = tokens.data?.items ?? [];

  function onCreated(token: CreatedApiToken) {
    setCreated(token);
    tokens.reload();
  }

  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      <p>
        Send a token as <code>Authorization: Bearer tnt_…</code>, e.g. as a pipeline&rsquo;s{' '}
        <code>TENANTRY_API_TOKEN</code> secret. It acts as the operator who made it and is revoked with them.
      </p>
      {created ? (
        <ShownOnce title={`API token “${created.name}” created`} secret={created.token} onDismiss={() => setCreated(null)}>
          <p>
            Scope <strong>{created.scope}</strong>
            {created.expiresAt ? <>, expires {formatDate(created.expiresAt)}</> : ', does not expire'}.
          </p>
        </ShownOnce>
      ) : null}
      <CreateApiTokenForm onCreated={onCreated} />
      <ErrorAlert error={tokens.error} />
      {tokens.loading && !tokens.data ? <Loading label="Loading API tokens…" /> : null}
      {tokens.data && items.length === 0 ? <Empty>No API tokens.</Empty> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scope</th>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.id}>
                  <td data-label="Name">{t.name}</td>
                  <td data-label="Scope">{t.scope}</td>
                  <td data-label="Token">
                    <code>{t.hint}</code>
                  </td>
                  <td data-label="Created">{formatDate(t.createdAt)}</td>
                  <td data-label="Expires">{t.expiresAt ? formatDate(t.expiresAt) : 'never'}</td>
                  <td data-label="Last used">{t.lastUsedAt ? formatDate(t.lastUsedAt) : 'never'}</td>
                  <td data-label="Actions">
                    <RevokeTokenButton token={t} onRevoked={tokens.reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
