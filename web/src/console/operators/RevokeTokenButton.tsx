/** Revokes an API token (`DELETE /v1/api-tokens/{id}`) after a confirmation: it stops working at once. */
import { useState } from 'react';
import { callVoid } from '../../api/call';
import { useConsole } from '../context';
import type { ApiTokenView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { useSubmit } from '../../shared/useSubmit';

export function RevokeTokenButton({ token, onRevoked }: { token: ApiTokenView; onRevoked: () => void }) {
  const { api } = useConsole();
  const [confirming, setConfirming] = useState(false);
  const revoke = useSubmit(async () => {
    await callVoid(api.DELETE('/v1/api-tokens/{id}', { params: { path: { id: token.id } } }));
    onRevoked();
  });
  const name = <span className="visually-hidden">{token.name}</span>;
  return (
    <>
      {confirming ? (
        <div className="button-row confirm-row">
          <span>Pipelines using it stop working at once.</span>
          <button type="button" className="btn btn-danger" disabled={revoke.busy} onClick={() => void revoke.run()}>
            {revoke.busy ? 'Revoking…' : <>Yes, revoke {name}</>}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
          Revoke {name}
        </button>
      )}
      <ErrorAlert error={revoke.error} />
    </>
  );
}
