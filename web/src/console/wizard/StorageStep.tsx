/**
 * Wizard step 3: where the tenant's files live. The platform's default needs nothing; a
 * tenant-hosted backend (NAS, S3, Azure) is registered right after the tenant is created, when
 * the control plane can run its live check against the new tenant.
 */
import type { StorageMode, TenantDraft } from './draft';
import { StorageFields } from '../storage/StorageFields';
import { NO_STORED_SECRETS, type StorageErrors } from '../storage/storageDraft';

const MODES: readonly { value: StorageMode; label: string; description: string }[] = [
  { value: 'platform', label: 'Platform default', description: 'The platform’s own storage, set up with the tenant.' },
  {
    value: 'hosted',
    label: 'Tenant-hosted',
    description: 'A NAS mount, S3 bucket or Azure container the tenant runs, checked live after the tenant is created.',
  },
];

export interface StorageStepProps {
  draft: TenantDraft;
  onChange: (patch: Partial<TenantDraft>) => void;
  errors: StorageErrors;
}

export function StorageStep({ draft, onChange, errors }: StorageStepProps) {
  return (
    <>
      <fieldset className="radio-group">
        <legend>Storage for the tenant’s files</legend>
        {MODES.map((m) => (
          <label key={m.value} className="radio">
            <input
              type="radio"
              name="storage-mode"
              value={m.value}
              checked={draft.storageMode === m.value}
              onChange={() => onChange({ storageMode: m.value })}
            />
            <span>
              <strong>{m.label}</strong> <span className="muted">{m.description}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {draft.storageMode === 'hosted' ? (
        <StorageFields
          draft={draft.storage}
          onChange={(storage) => onChange({ storage })}
          errors={errors}
          stored={NO_STORED_SECRETS}
        />
      ) : null}
    </>
  );
}
