/**
 * Rotating a server's admin password (`POST /v1/servers/{name}/rotate-password`) is asked
 * first: the platform changes a credential on someone's database server. It stays open on a
 * failure so the operator reads why; a refused change or a new password that did not log in
 * (`422`, `details.check`) left the old password working, which the title says.
 */
import { useEffect, useRef } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { ServerView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { useSubmit } from '../../shared/useSubmit';
import { checkFailure } from './serverRules';

export interface RotatePasswordFormProps {
  server: ServerView;
  onRotated: (server: ServerView) => void;
  onCancel: () => void;
}

export function RotatePasswordForm({ server, onRotated, onCancel }: RotatePasswordFormProps) {
  const { api } = useConsole();
  const confirm = useRef<HTMLButtonElement>(null);
  const rotate = useSubmit(async () => {
    const view = await call(api.POST('/v1/servers/{name}/rotate-password', { params: { path: { name: server.name } } }));
    onRotated(view.server);
  });
  const check = checkFailure(rotate.error);
  useEffect(() => confirm.current?.focus(), []);

  return (
    <div className="confirm-row">
      <p>
        The platform sets a new random password on the server and uses it from now on; open sessions and tenants are
        not interrupted.
      </p>
      {check ? (
        <ErrorAlert error={rotate.error} title="The password was not changed; the old one still works" message={check} />
      ) : (
        <ErrorAlert error={rotate.error} />
      )}
      <div className="button-row">
        <button type="button" ref={confirm} className="btn btn-primary" disabled={rotate.busy} onClick={() => void rotate.run()}>
          {rotate.busy ? (
            'Rotating…'
          ) : (
            <>
              Confirm <span className="visually-hidden">new password for {server.name}</span>
            </>
          )}
        </button>
        <button type="button" className="btn btn-secondary" disabled={rotate.busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
