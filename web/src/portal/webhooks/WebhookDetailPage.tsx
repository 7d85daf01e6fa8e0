/** One endpoint: switch on/off, edit events, send a test, rotate the secret, delete, deliveries. */
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { call, callVoid } from '../../api/call';
import { useIdentity, usePortal } from '../context';
import type { WebhookView } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Loading, Notice } from '../../shared/Status';
import { ShownOnce } from '../../shared/ShownOnce';
import { StatusBadge } from '../../shared/StatusBadge';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { useSubmit } from '../../shared/useSubmit';
import { EventsField } from './EventsField';
import { DeliveryLog } from './DeliveryLog';

function Actions({ webhook, onChanged }: { webhook: WebhookView; onChanged: (w: WebhookView) => void }) {
  const { api } = usePortal();
  const navigate = useNavigate();
  const path = { params: { path: { id: webhook.id } } };
  const [events, setEvents] = useState(webhook.events);
  const [secret, setSecret] = useState<string | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const toggle = useSubmit(async () => onChanged(await call(api.PATCH('/v1/webhooks/{id}', { ...path, body: { enabled: !webhook.enabled } }))));
  const saveEvents = useSubmit(async () => onChanged(await call(api.PATCH('/v1/webhooks/{id}', { ...path, body: { events } }))));
  const test = useSubmit(async () => {
    const r = await call(api.POST('/v1/webhooks/{id}/test', path));
    setTested(r.delivered ? `Delivered: HTTP ${r.statusCode} in ${r.durationMs} ms.` : `Not delivered: ${r.error ?? `HTTP ${r.statusCode}`}.`);
    onChanged(webhook);
  });
  const rotate = useSubmit(async () => setSecret((await call(api.POST('/v1/webhooks/{id}/rotate-secret', path))).secret));
  const remove = useSubmit(async () => {
    await callVoid(api.DELETE('/v1/webhooks/{id}', path));
    navigate('/webhooks');
  });
  const error = toggle.error ?? saveEvents.error ?? test.error ?? rotate.error ?? remove.error;

  return (
    <>
      {secret ? <ShownOnce title="New signing secret" secret={secret} onDismiss={() => setSecret(null)} /> : null}
      {tested ? <Notice>{tested}</Notice> : null}
      <ErrorAlert error={error} />
      <div className="button-row">
        <button type="button" className="btn btn-secondary" disabled={toggle.busy} onClick={() => void toggle.run()}>
          {webhook.enabled ? 'Switch off' : 'Switch on'}
        </button>
        <button type="button" className="btn btn-secondary" disabled={test.busy} onClick={() => void test.run()}>
          {test.busy ? 'Sending…' : 'Send a test event'}
        </button>
        <button type="button" className="btn btn-secondary" disabled={rotate.busy} onClick={() => void rotate.run()}>
          Rotate signing secret
        </button>
        {confirmDelete ? (
          <button type="button" className="btn btn-danger" disabled={remove.busy} onClick={() => void remove.run()}>
            Confirm: delete endpoint and its log
          </button>
        ) : (
          <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </div>
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void saveEvents.run();
        }}
      >
        <EventsField value={events} onChange={setEvents} />
        <button type="submit" className="btn btn-primary" disabled={saveEvents.busy || events.length === 0}>
          Save events
        </button>
      </form>
    </>
  );
}

export function WebhookDetailPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const id = useParams().id ?? '';
  const webhook = useLoad(() => call(api.GET('/v1/webhooks/{id}', { params: { path: { id } } })), [api, id]);
  const [version, setVersion] = useState(0);
  const w = webhook.data;
  return (
    <Page title="Webhook endpoint" site={tenant.displayName}>
      <ErrorAlert error={webhook.error} />
      {webhook.loading && !w ? <Loading /> : null}
      {w ? (
        <>
          <dl className="facts">
            <dt>URL</dt>
            <dd>
              <code>{w.url}</code>
            </dd>
            <dt>State</dt>
            <dd>
              <StatusBadge status={w.enabled ? 'enabled' : 'disabled'} />
              {w.disabledReason ? <span className="muted"> {w.disabledReason}</span> : null}
            </dd>
            <dt>Failures in a row</dt>
            <dd>{w.failureStreak}</dd>
            <dt>Description</dt>
            <dd>{w.description || '—'}</dd>
            <dt>Created</dt>
            <dd>{formatDate(w.createdAt)}</dd>
          </dl>
          <Actions
            webhook={w}
            onChanged={(next) => {
              webhook.setData(next);
              setVersion((v) => v + 1);
            }}
          />
          <DeliveryLog webhookId={w.id} version={version} />
        </>
      ) : null}
    </Page>
  );
}
