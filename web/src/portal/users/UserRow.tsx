/**
 * One user with the actions an admin has: change role, disable or enable, remove (confirmed).
 * The server enforces the owner rules (`403 FORBIDDEN`, `409 LAST_OWNER`); their messages show
 * on the row.
 */
import { useState } from 'react';
import { call, callVoid } from '../../api/call';
import { usePortal } from '../context';
import { ROLES, type Role, type UserView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { SelectField } from '../../shared/forms/SelectField';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatDate } from '../../shared/format';
import { useSubmit } from '../../shared/useSubmit';

export interface UserRowProps {
  user: UserView;
  isMe: boolean;
  canManage: boolean;
  onChanged: (user: UserView | null) => void;
}

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r }));

export function UserRow({ user, isMe, canManage, onChanged }: UserRowProps) {
  const { api } = usePortal();
  const [confirming, setConfirming] = useState(false);
  const path = { params: { path: { id: user.id } } };
  const update = useSubmit(async (body: { role?: Role; status?: 'active' | 'disabled' }) =>
    onChanged(await call(api.PATCH('/v1/users/{id}', { ...path, body }))),
  );
  const remove = useSubmit(async () => {
    await callVoid(api.DELETE('/v1/users/{id}', path));
    onChanged(null);
  });
  const busy = update.busy || remove.busy;
  const label = user.name || user.email;

  return (
    <tr>
      <td data-label="User">
        <strong>{user.name || user.email}</strong>
        {user.name ? <div className="muted">{user.email}</div> : null}
      </td>
      <td data-label="Role">
        {canManage && !isMe ? (
          <SelectField
            label={`Role of ${label}`}
            value={user.role}
            options={ROLE_OPTIONS}
            disabled={busy}
            onChange={(role) => void update.run({ role })}
          />
        ) : (
          user.role
        )}
      </td>
      <td data-label="Status">
        <StatusBadge status={user.status} />
      </td>
      <td data-label="Last sign-in">{formatDate(user.lastLoginAt)}</td>
      <td data-label="Actions">
        {canManage && !isMe ? (
          <div className="button-row">
            <button
              type="button"
              className="btn btn-secondary"
              disabled={busy}
              onClick={() => void update.run({ status: user.status === 'disabled' ? 'active' : 'disabled' })}
            >
              {user.status === 'disabled' ? 'Enable' : 'Disable'} <span className="visually-hidden">{label}</span>
            </button>
            {confirming ? (
              <>
                <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void remove.run()}>
                  Confirm removal <span className="visually-hidden">of {label}</span>
                </button>
                <button type="button" className="btn btn-link" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
              </>
            ) : (
              <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setConfirming(true)}>
                Remove <span className="visually-hidden">{label}</span>
              </button>
            )}
          </div>
        ) : isMe ? (
          <span className="muted">you</span>
        ) : null}
        <ErrorAlert error={update.error ?? remove.error} />
      </td>
    </tr>
  );
}
