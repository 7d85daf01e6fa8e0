/** A new webhook endpoint: an https URL, its events, a description; the secret comes back once. */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { usePortal } from '../context';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { validateHttpsUrl } from '../../shared/validation';
import { EventsField } from './EventsField';
import type { components } from '../../api/generated/tenant-plane';

type WebhookWithSecret = components['schemas']['WebhookWithSecret'];

export function CreateWebhookForm({ onCreated }: { onCreated: (w: WebhookWithSecret) => void }) {
  const { api } = usePortal();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const submit = useSubmit(async () => {
    onCreated(await call(api.POST('/v1/webhooks', { body: { url: url.trim(), events, description: description.trim() || null } })));
    setUrl('');
    setEvents([]);
    setDescription('');
    setTouched(false);
  });
  const urlError = (touched ? validateHttpsUrl(url.trim()) : null) ?? fieldError(submit.error, 'url');
  const eventsError = (touched && events.length === 0 ? 'choose at least one event' : null) ?? fieldError(submit.error, 'events');

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (validateHttpsUrl(url.trim()) || events.length === 0) return;
    void submit.run();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card" aria-labelledby="new-webhook-heading">
      <h2 id="new-webhook-heading">New endpoint</h2>
      <ErrorAlert error={fieldError(submit.error, 'url') || fieldError(submit.error, 'events') ? null : submit.error} />
      <TextField label="URL" type="url" required placeholder="https://" value={url} onChange={setUrl} error={urlError} hint="Public https addresses only." />
      <EventsField value={events} onChange={setEvents} error={eventsError} />
      <TextField label="Description" value={description} onChange={setDescription} maxLength={200} />
      <SubmitButton busy={submit.busy} busyLabel="Creating…">
        Create endpoint
      </SubmitButton>
    </form>
  );
}
