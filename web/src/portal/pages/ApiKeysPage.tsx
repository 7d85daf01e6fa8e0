/**
 * API keys: the list (hint, scopes, last use — never the secret), a form for a new one whose
 * secret is shown exactly once, and revocation.
 */
import { useState } from 'react';
import { call, callVoid } from '../../api/call';
import { useIdentity, useMe, usePortal } from '../context';
import type { ApiKeyView, CreatedApiKey } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { ShownOnce } from '../../shared/ShownOnce';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { useSubmit } from '../../shared/useSubmit';
import { CreateApiKeyForm } from './CreateApiKeyForm';

function RevokeButton({ apiKey, onRevoked }: { apiKey: ApiKeyView; onRevoked: () => void }) {
  const { api } = usePortal();
  const revoke = useSubmit(async () => {
    await callVoid(api.DELETE('/v1/api-keys/{id}', { params: { path: { id: apiKey.id } } }));
    onRevoked();
  });
  return (
    <>
      <button type="button" className="btn btn-danger" disabled={revoke.busy} onClick={() => void revoke.run()}>
        {revoke.busy ? 'Revoking…' : <>Revoke <span className="visually-hidden">{apiKey.name}</span></>}
      </button>
      <ErrorAlert error={revoke.error} />
    </>
  );
}

export function ApiKeysPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const me = useMe();
  const keys = useLoad(() => call(api.GET('/v1/api-keys')), [api]);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  function onCreated(key: CreatedApiKey) {
    setCreated(key);
    keys.reload();
  }

  return (
    <Page title="API keys" site={tenant.displayName}>
      <p>
        Send a key as the <code>x-api-key</code> header. It acts with its scopes, and only while you keep those
        permissions.
      </p>
      {created ? (
        <ShownOnce title={`API key “${created.name}” created`} secret={created.secret} onDismiss={() => setCreated(null)} />
      ) : null}
      <CreateApiKeyForm permissions={me.permissions} onCreated={onCreated} />
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">Keys</h2>
        <ErrorAlert error={keys.error} />
        {keys.loading && !keys.data ? <Loading /> : null}
        {keys.data && keys.data.items.length === 0 ? <Empty>No API keys yet.</Empty> : null}
        {keys.data && keys.data.items.length > 0 ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((k) => (
                  <tr key={k.id}>
                    <td data-label="Name">{k.name}</td>
                    <td data-label="Key">
                      <code>{k.hint}</code>
                    </td>
                    <td data-label="Scopes">{k.scopes.join(', ')}</td>
                    <td data-label="Created">{formatDate(k.createdAt)}</td>
                    <td data-label="Last used">{formatDate(k.lastUsedAt)}</td>
                    <td data-label="Expires">{k.expiresAt ? formatDate(k.expiresAt) : 'never'}</td>
                    <td>
                      <RevokeButton apiKey={k} onRevoked={keys.reload} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </Page>
  );
}
