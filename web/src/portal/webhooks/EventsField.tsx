/** Checkboxes for the event types a webhook endpoint receives (`*` = all). */
import { WEBHOOK_EVENTS } from '../types';
import { CheckboxField } from '../../shared/forms/CheckboxField';

export function EventsField({ value, onChange, error }: { value: string[]; onChange: (v: string[]) => void; error?: string | null }) {
  return (
    <fieldset className="checkbox-group">
      <legend>Events</legend>
      {WEBHOOK_EVENTS.map((event) => (
        <CheckboxField
          key={event}
          label={event === '*' ? 'All events (*)' : <code>{event}</code>}
          checked={value.includes(event)}
          onChange={(on) => onChange(on ? [...value, event] : value.filter((e) => e !== event))}
        />
      ))}
      {error ? <div className="field-error">{error}</div> : null}
    </fieldset>
  );
}
