/**
 * One storage backend's fields: a kind selector, then the fields that kind needs. The secret
 * field is write-only: never filled in, a password input, and empty means "keep the stored one".
 * A failed live check for this backend (the server's `422` naming it) is shown at the top of
 * the group.
 */
import { useId } from 'react';
import { TextField } from '../../shared/forms/TextField';
import { SelectField } from '../../shared/forms/SelectField';
import { CheckboxField } from '../../shared/forms/CheckboxField';
import type { BackendKind } from './storageApi';
import { BACKEND_KINDS, type BackendDraft, type BackendErrors } from './storageDraft';

export interface BackendFieldsProps {
  legend: string;
  draft: BackendDraft;
  onChange: (patch: Partial<BackendDraft>) => void;
  /** Client-side errors, shown once the operator tried to go on. */
  errors: BackendErrors;
  /** The server's verdict on this backend as a whole (a failed live check). */
  groupError?: string | null;
  /** The server holds a secret for this backend already. */
  storedSecret: boolean;
  kinds?: readonly BackendKind[];
}

const SSE_OPTIONS = [
  { value: '', label: 'None requested' },
  { value: 'AES256', label: 'AES256 (S3-managed keys)' },
  { value: 'aws:kms', label: 'aws:kms (KMS-managed keys)' },
] as const;

const AUTH_OPTIONS = [
  { value: 'sharedKey', label: 'Account key' },
  { value: 'sas', label: 'SAS token' },
] as const;

function secretLabel(d: BackendDraft): string {
  if (d.kind === 's3') return 'Secret access key';
  return d.auth === 'sas' ? 'SAS token' : 'Account key';
}

export function BackendFields({ legend, draft, onChange, errors, groupError, storedSecret, kinds }: BackendFieldsProps) {
  const id = useId();
  const options = BACKEND_KINDS.filter((k) => !kinds || kinds.includes(k.value));
  const text = (field: 'root' | 'endpoint' | 'region' | 'bucket' | 'accessKeyId' | 'account' | 'container') => ({
    value: draft[field],
    onChange: (v: string) => onChange({ [field]: v }),
    error: errors[field] ?? null,
    autoComplete: 'off',
    spellCheck: false,
  });
  return (
    <fieldset className="backend-fields" aria-describedby={groupError ? `${id}-group-error` : undefined}>
      <legend>{legend}</legend>
      {groupError ? (
        <div className="alert alert-error" role="alert" id={`${id}-group-error`}>
          <p className="alert-message">{groupError}</p>
        </div>
      ) : null}
      <SelectField label="Kind" value={draft.kind} options={options} onChange={(kind) => onChange({ kind })} />
      {draft.kind === 'platform' ? <p className="hint">The platform’s own storage: nothing to configure.</p> : null}
      {draft.kind === 'nas' ? (
        <TextField
          label="Mount path"
          required
          {...text('root')}
          hint="An absolute directory mounted on every host that runs the tenant plane, e.g. /mnt/acme-files."
        />
      ) : null}
      {draft.kind === 's3' ? (
        <>
          <TextField label="Endpoint" {...text('endpoint')} hint="Leave empty for AWS; e.g. https://minio.example.com." />
          <div className="inline-fields">
            <TextField label="Region" required {...text('region')} />
            <TextField label="Bucket" required {...text('bucket')} />
          </div>
          <CheckboxField
            label="Path-style addressing"
            checked={draft.pathStyle}
            onChange={(pathStyle) => onChange({ pathStyle })}
            hint="Needed by MinIO and most self-hosted S3."
          />
          <TextField label="Access key id" required {...text('accessKeyId')} />
          <SelectField
            label="Server-side encryption"
            value={draft.serverSideEncryption}
            options={SSE_OPTIONS}
            onChange={(serverSideEncryption) => onChange({ serverSideEncryption })}
          />
        </>
      ) : null}
      {draft.kind === 'azure' ? (
        <>
          <TextField
            label="Endpoint"
            {...text('endpoint')}
            hint="Leave empty for https://<account>.blob.core.windows.net; e.g. Azurite’s URL."
          />
          <div className="inline-fields">
            <TextField label="Account" required {...text('account')} />
            <TextField label="Container" required {...text('container')} hint="It must exist." />
          </div>
          <SelectField label="Authentication" value={draft.auth} options={AUTH_OPTIONS} onChange={(auth) => onChange({ auth })} />
        </>
      ) : null}
      {draft.kind === 's3' || draft.kind === 'azure' ? (
        <TextField
          label={secretLabel(draft)}
          type="password"
          required={!storedSecret}
          autoComplete="new-password"
          spellCheck={false}
          value={draft.secret}
          onChange={(secret) => onChange({ secret })}
          error={errors.secret ?? null}
          hint={
            storedSecret
              ? 'A secret is stored. Leave this empty to keep it, or type a new one to replace it.'
              : 'Write-only: it goes to the tenant’s secret store and is never shown again.'
          }
        />
      ) : null}
    </fieldset>
  );
}
