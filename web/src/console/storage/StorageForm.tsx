/**
 * Registers a tenant's storage: `PUT /v1/tenants/{t}/storage`, which answers only after a live
 * check of each backend (write, read back, delete a probe). A failed check comes back as `422`
 * naming `primary` or `fallback` and is shown at that group; anything else above the form.
 */
import { useState, type FormEvent } from 'react';
import { useConsole } from '../context';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { putStorage, type StorageView } from './storageApi';
import { StorageFields } from './StorageFields';
import {
  draftFromView,
  emptyStorage,
  isStorageValid,
  storageBody,
  storedSecrets,
  validateStorage,
  withoutSecrets,
  type StorageDraft,
} from './storageDraft';

export const GROUPS = ['primary', 'fallback'] as const;
const NO_ERRORS = { primary: {}, fallback: {}, fallbackGroup: null };

export interface StorageFormProps {
  /** Tenant id or slug. */
  tenant: string;
  /** The config the tenant has now, if any: the form starts from it (without secrets). */
  current: StorageView | null;
  /** Start from this instead (the wizard's draft, when its first attempt failed). */
  initialDraft?: StorageDraft;
  /** The error of that first attempt, shown until the operator changes something. */
  initialError?: unknown;
  submitLabel?: string;
  onSaved: (view: StorageView) => void;
  onCancel?: () => void;
}

export function StorageForm({ tenant, current, initialDraft, initialError, submitLabel, onSaved, onCancel }: StorageFormProps) {
  const { api } = useConsole();
  const [draft, setDraft] = useState<StorageDraft>(() => initialDraft ?? (current ? draftFromView(current) : emptyStorage()));
  const [showErrors, setShowErrors] = useState(false);
  const [pristine, setPristine] = useState(true);
  const save = useSubmit(async (body: ReturnType<typeof storageBody>) => putStorage(api, tenant, body));

  const stored = storedSecrets(current, draft);
  const errors = validateStorage(draft, stored);
  const error = save.error ?? (pristine ? initialError : null);

  function change(next: StorageDraft) {
    setDraft(next);
    setPristine(false);
    if (save.error) save.setError(null);
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setPristine(false);
    if (!isStorageValid(errors)) {
      setShowErrors(true);
      return;
    }
    const outcome = await save.run(storageBody(draft));
    if (outcome.ok) {
      setDraft(withoutSecrets(draft));
      onSaved(outcome.value);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="storage-form">
      {isFieldError(error, GROUPS) ? null : <ErrorAlert error={error} title="The storage was not changed" />}
      <StorageFields
        draft={draft}
        onChange={change}
        errors={showErrors ? errors : NO_ERRORS}
        serverErrors={{ primary: fieldError(error, 'primary'), fallback: fieldError(error, 'fallback') }}
        stored={stored}
      />
      <div className="button-row">
        <SubmitButton busy={save.busy} busyLabel="Checking the backends…">
          {submitLabel ?? 'Check and save'}
        </SubmitButton>
        {onCancel ? (
          <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={save.busy}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
