/** Revokes an API token (`DELETE /v1/api-tokens/{id}`) after a confirmation: it stops working at once. */
import { callVoid } from '../../api/call';
import { useConsole } from '../context';
import type { ApiTokenView } from '../types';
import { ConfirmDangerButton } from '../../shared/ConfirmDangerButton';

export function RevokeTokenButton({ token, onRevoked }: { token: ApiTokenView; onRevoked: () => void }) {
  const { api } = useConsole();
  return (
    <ConfirmDangerButton
      verb="Revoke"
      busyLabel="Revoking…"
      warning="Pipelines using it stop working at once."
      name={token.name}
      action={async () => {
        await callVoid(api.DELETE('/v1/api-tokens/{id}', { params: { path: { id: token.id } } }));
        onRevoked();
      }}
    />
  );
}
