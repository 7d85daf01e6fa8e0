/**
 * The storage form's fields, shared by the tenant page and the onboarding wizard: the primary
 * backend, an optional fallback (takes uploads while the primary is out), and client-side
 * encryption, which follows the primary's kind until the operator sets it.
 */
import { CheckboxField } from '../../shared/forms/CheckboxField';
import { BackendFields } from './BackendFields';
import {
  encryptedByDefault,
  type BackendDraft,
  type StorageDraft,
  type StorageErrors,
  type StoredSecrets,
} from './storageDraft';

export interface StorageFieldsProps {
  draft: StorageDraft;
  onChange: (draft: StorageDraft) => void;
  /** Client-side errors; empty until the operator tried to go on. */
  errors: StorageErrors;
  /** The server's `422` for `primary` or `fallback` (a failed live check), at that group. */
  serverErrors?: { primary?: string | null; fallback?: string | null };
  stored: StoredSecrets;
}

export function StorageFields({ draft, onChange, errors, serverErrors, stored }: StorageFieldsProps) {
  function primary(patch: Partial<BackendDraft>) {
    const next = { ...draft.primary, ...patch };
    const encrypted = draft.encryptedChosen ? draft.encrypted : encryptedByDefault(next.kind);
    onChange({ ...draft, primary: next, encrypted });
  }
  return (
    <>
      <BackendFields
        legend="Primary backend"
        draft={draft.primary}
        onChange={primary}
        errors={errors.primary}
        groupError={serverErrors?.primary}
        storedSecret={stored.primary}
      />
      <CheckboxField
        label="Add a fallback backend"
        checked={draft.fallbackOn}
        onChange={(fallbackOn) => onChange({ ...draft, fallbackOn })}
        hint="Takes uploads while the primary is out; they are copied to the primary when it is back."
      />
      {draft.fallbackOn ? (
        <BackendFields
          legend="Fallback backend"
          draft={draft.fallback}
          onChange={(patch) => onChange({ ...draft, fallback: { ...draft.fallback, ...patch } })}
          errors={errors.fallback}
          groupError={serverErrors?.fallback ?? errors.fallbackGroup}
          storedSecret={stored.fallback}
        />
      ) : null}
      <CheckboxField
        label="Encrypt files with the tenant’s key"
        checked={draft.encrypted}
        onChange={(encrypted) => onChange({ ...draft, encrypted, encryptedChosen: true })}
        hint="Sealed before they leave the tenant plane. Usual for NAS and local disks; S3 and Azure encrypt at rest. Cannot change once files are stored."
      />
    </>
  );
}
