/**
 * Removing a server (`DELETE /v1/servers/{name}`) forgets it and drops the template database
 * the platform made on it. The operator types the name to confirm; a server that still holds
 * tenant databases is refused with `409 INVALID_STATE`, whose message is shown here.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { callVoid } from '../../api/call';
import { useConsole } from '../context';
import type { ServerView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { useSubmit } from '../../shared/useSubmit';

export interface RemoveServerFormProps {
  server: ServerView;
  onRemoved: () => void;
  onCancel: () => void;
}

export function RemoveServerForm({ server, onRemoved, onCancel }: RemoveServerFormProps) {
  const { api } = useConsole();
  const [typed, setTyped] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const remove = useSubmit(async () => {
    await callVoid(api.DELETE('/v1/servers/{name}', { params: { path: { name: server.name } } }));
    onRemoved();
  });
  const confirmed = typed === server.name;
  const id = `remove-${server.id}`;
  useEffect(() => input.current?.focus(), []);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (confirmed) void remove.run();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="confirm-row">
      <p>
        <label htmlFor={id}>
          Type <code>{server.name}</code> to remove it
        </label>
        {server.tenants > 0 ? <span> (it holds {server.tenants} tenant databases: the server will refuse)</span> : null}
      </p>
      <div className="field">
        <input
          id={id}
          ref={input}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <ErrorAlert error={remove.error} />
      <div className="button-row">
        <SubmitButton busy={remove.busy} busyLabel="Removing…" variant="danger" disabled={!confirmed}>
          Remove server <span className="visually-hidden">{server.name}</span>
        </SubmitButton>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Keep it
        </button>
      </div>
    </form>
  );
}
