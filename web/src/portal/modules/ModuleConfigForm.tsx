/**
 * A module's settings. The API publishes no schema for them, only the current values with
 * defaults filled in, so each field's input follows its current value's type (yes/no, number,
 * text; anything else as JSON). The server validates and answers which field is wrong.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { usePortal } from '../context';
import type { ModuleView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Notice } from '../../shared/Status';
import { TextField } from '../../shared/forms/TextField';
import { CheckboxField } from '../../shared/forms/CheckboxField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';

type Draft = Record<string, string | boolean>;

function toDraft(config: Record<string, unknown>): Draft {
  const draft: Draft = {};
  for (const [k, v] of Object.entries(config)) {
    draft[k] = typeof v === 'boolean' ? v : typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v);
  }
  return draft;
}

function fromDraft(draft: Draft, original: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(draft)) {
    const before = original[k];
    if (typeof v === 'boolean' || typeof before === 'string') out[k] = v;
    else if (v === '') out[k] = null;
    else {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v;
      }
    }
  }
  return out;
}

function humanise(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

export function ModuleConfigForm({ module, onSaved }: { module: ModuleView; onSaved: (config: Record<string, unknown>) => void }) {
  const { api } = usePortal();
  const [draft, setDraft] = useState<Draft>(() => toDraft(module.config));
  const [saved, setSaved] = useState(false);
  const save = useSubmit(async () => {
    const body = fromDraft(draft, module.config);
    const config = await call(api.PUT('/v1/modules/{key}/config', { params: { path: { key: module.key } }, body }));
    onSaved(config);
    setSaved(true);
  });
  const keys = Object.keys(draft);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    void save.run();
  }

  if (keys.length === 0) return <p className="muted">This module has no settings.</p>;
  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Settings of ${module.key}`}>
      {saved ? <Notice>Settings saved.</Notice> : null}
      <ErrorAlert error={keys.some((k) => fieldError(save.error, k)) ? null : save.error} />
      {keys.map((k) => {
        const value = draft[k];
        return typeof value === 'boolean' ? (
          <CheckboxField key={k} label={humanise(k)} checked={value} onChange={(v) => setDraft({ ...draft, [k]: v })} />
        ) : (
          <TextField
            key={k}
            label={humanise(k)}
            value={value ?? ''}
            inputMode={typeof module.config[k] === 'number' ? 'numeric' : undefined}
            onChange={(v) => setDraft({ ...draft, [k]: v })}
            error={fieldError(save.error, k)}
          />
        );
      })}
      <SubmitButton busy={save.busy} busyLabel="Saving…" variant="secondary">
        Save settings
      </SubmitButton>
    </form>
  );
}
