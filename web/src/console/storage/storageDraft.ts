/**
 * The storage form's state: one flat draft per backend (every kind's fields, so switching kind
 * and back keeps what was typed), turned into the API body only when sent. Client-side checks
 * mirror `BackendSpec::validate` (shared/storage/src/spec.rs) with its messages; the live
 * check stays the server's.
 *
 * Secrets live in the draft only while the form is open: they are never filled in from the
 * server (which never returns them), and an empty secret field sends nothing, so the server
 * keeps the secret it has.
 */
import type { AzureAuth, BackendKind, BackendSpec, StorageBody, StorageView } from './storageApi';

export interface BackendDraft {
  kind: BackendKind;
  root: string;
  endpoint: string;
  region: string;
  bucket: string;
  pathStyle: boolean;
  accessKeyId: string;
  serverSideEncryption: '' | 'AES256' | 'aws:kms';
  account: string;
  container: string;
  auth: AzureAuth;
  secret: string;
}

export interface StorageDraft {
  primary: BackendDraft;
  fallbackOn: boolean;
  fallback: BackendDraft;
  encrypted: boolean;
  /** False while `encrypted` follows the primary's kind; true once the operator chose. */
  encryptedChosen: boolean;
}

export type BackendField = 'root' | 'endpoint' | 'region' | 'bucket' | 'accessKeyId' | 'account' | 'container' | 'secret';
export type BackendErrors = Partial<Record<BackendField, string>>;

export const BACKEND_KINDS: readonly { value: BackendKind; label: string }[] = [
  { value: 'nas', label: 'NAS or NFS mount' },
  { value: 's3', label: 'S3-compatible (AWS, MinIO, Ceph…)' },
  { value: 'azure', label: 'Azure Blob Storage' },
  { value: 'platform', label: 'The platform’s storage' },
];

export function emptyBackend(kind: BackendKind): BackendDraft {
  return {
    kind,
    root: '',
    endpoint: '',
    region: '',
    bucket: '',
    pathStyle: false,
    accessKeyId: '',
    serverSideEncryption: '',
    account: '',
    container: '',
    auth: 'sharedKey',
    secret: '',
  };
}

/** The server's default: sealed on disks it does not encrypt for us (NAS, the platform's local disk). */
export function encryptedByDefault(kind: BackendKind): boolean {
  return kind === 'nas' || kind === 'platform';
}

export function emptyStorage(): StorageDraft {
  return { primary: emptyBackend('nas'), fallbackOn: false, fallback: emptyBackend('platform'), encrypted: true, encryptedChosen: false };
}

function backendDraft(spec: BackendSpec): BackendDraft {
  const d = emptyBackend(spec.kind);
  switch (spec.kind) {
    case 'platform':
      return d;
    case 'nas':
      return { ...d, root: spec.root };
    case 's3':
      return {
        ...d,
        endpoint: spec.endpoint ?? '',
        region: spec.region,
        bucket: spec.bucket,
        pathStyle: spec.pathStyle ?? false,
        accessKeyId: spec.accessKeyId,
        serverSideEncryption: spec.serverSideEncryption === 'AES256' || spec.serverSideEncryption === 'aws:kms' ? spec.serverSideEncryption : '',
      };
    case 'azure':
      return { ...d, endpoint: spec.endpoint ?? '', account: spec.account, container: spec.container, auth: spec.auth };
  }
}

/** The form for changing an existing config: its values, no secrets. */
export function draftFromView(view: StorageView): StorageDraft {
  return {
    primary: backendDraft(view.primary),
    fallbackOn: Boolean(view.fallback),
    fallback: view.fallback ? backendDraft(view.fallback) : emptyBackend('platform'),
    encrypted: view.encrypted,
    encryptedChosen: true,
  };
}

export function needsSecret(kind: BackendKind): boolean {
  return kind === 's3' || kind === 'azure';
}

export function specFromDraft(d: BackendDraft): BackendSpec {
  const endpoint = d.endpoint.trim() || null;
  switch (d.kind) {
    case 'platform':
      return { kind: 'platform' };
    case 'nas':
      return { kind: 'nas', root: d.root.trim() };
    case 's3':
      return {
        kind: 's3',
        endpoint,
        region: d.region.trim(),
        bucket: d.bucket.trim(),
        pathStyle: d.pathStyle,
        accessKeyId: d.accessKeyId.trim(),
        serverSideEncryption: d.serverSideEncryption || null,
      };
    case 'azure':
      return { kind: 'azure', endpoint, account: d.account.trim(), container: d.container.trim(), auth: d.auth };
  }
}

export function storageBody(draft: StorageDraft): StorageBody {
  const secrets: NonNullable<StorageBody['secrets']> = {};
  if (needsSecret(draft.primary.kind) && draft.primary.secret) secrets.primary = draft.primary.secret;
  if (draft.fallbackOn && needsSecret(draft.fallback.kind) && draft.fallback.secret) secrets.fallback = draft.fallback.secret;
  return {
    primary: specFromDraft(draft.primary),
    fallback: draft.fallbackOn ? specFromDraft(draft.fallback) : null,
    encrypted: draft.encrypted,
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
}

/** The draft without what was typed into secret fields (after it was sent, or when leaving). */
export function withoutSecrets(draft: StorageDraft): StorageDraft {
  return { ...draft, primary: { ...draft.primary, secret: '' }, fallback: { ...draft.fallback, secret: '' } };
}

function endpointError(endpoint: string): string | null {
  const e = endpoint.trim();
  if (!e) return null;
  try {
    const url = new URL(e);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) return null;
  } catch {
    // reported below
  }
  return `endpoint \`${e}\` is not an http(s) URL`;
}

/**
 * What is wrong with one backend before the server is asked. `storedSecret`: the server holds
 * a secret for this slot already, so an empty secret field keeps it.
 */
export function validateBackend(d: BackendDraft, storedSecret: boolean): BackendErrors {
  const errors: BackendErrors = {};
  const set = (field: BackendField, message: string | null) => {
    if (message) errors[field] = message;
  };
  if (d.kind === 'nas') {
    const root = d.root.trim();
    set('root', !root.startsWith('/') ? 'root must be an absolute path' : root.split('/').includes('..') ? 'root must not contain `..`' : null);
  }
  if (d.kind === 's3') {
    set('endpoint', endpointError(d.endpoint));
    const bucket = d.bucket.trim();
    set('bucket', /^[a-z0-9.-]{3,63}$/.test(bucket) ? null : `\`${bucket}\` is not a valid bucket name`);
    set('region', d.region.trim() ? null : 'must not be empty');
    set('accessKeyId', d.accessKeyId.trim() ? null : 'must not be empty');
  }
  if (d.kind === 'azure') {
    set('endpoint', endpointError(d.endpoint));
    set('account', /^[A-Za-z0-9]+$/.test(d.account.trim()) ? null : 'account must be letters and digits');
    const container = d.container.trim();
    set('container', /^[a-z0-9-]{3,63}$/.test(container) ? null : `\`${container}\` is not a valid container name`);
  }
  if (needsSecret(d.kind) && !d.secret && !storedSecret) set('secret', 'must not be empty');
  return errors;
}

export interface StorageErrors {
  primary: BackendErrors;
  fallback: BackendErrors;
  /** The fallback as a whole (e.g. the same as the primary). */
  fallbackGroup: string | null;
}

/** Which slots already hold a secret on the server: those whose kind needs one and is unchanged. */
export interface StoredSecrets {
  primary: boolean;
  fallback: boolean;
}

export const NO_STORED_SECRETS: StoredSecrets = { primary: false, fallback: false };

export function storedSecrets(view: StorageView | null | undefined, draft: StorageDraft): StoredSecrets {
  if (!view) return NO_STORED_SECRETS;
  return {
    primary: needsSecret(view.primary.kind) && view.primary.kind === draft.primary.kind,
    fallback: Boolean(view.fallback && needsSecret(view.fallback.kind) && view.fallback.kind === draft.fallback.kind),
  };
}

export function validateStorage(draft: StorageDraft, stored: StoredSecrets = NO_STORED_SECRETS): StorageErrors {
  const same = draft.fallbackOn && JSON.stringify(specFromDraft(draft.fallback)) === JSON.stringify(specFromDraft(draft.primary));
  return {
    primary: validateBackend(draft.primary, stored.primary),
    fallback: draft.fallbackOn ? validateBackend(draft.fallback, stored.fallback) : {},
    fallbackGroup: same ? 'must differ from the primary' : null,
  };
}

export function isStorageValid(errors: StorageErrors): boolean {
  return Object.keys(errors.primary).length === 0 && Object.keys(errors.fallback).length === 0 && !errors.fallbackGroup;
}

/** One line for a backend, e.g. "S3 bucket `files` in eu-west-1 at https://minio.example.com". */
export function describeBackend(spec: BackendSpec): string {
  switch (spec.kind) {
    case 'platform':
      return 'the platform’s storage';
    case 'nas':
      return `NAS mount at ${spec.root}`;
    case 's3':
      return [
        `S3 bucket ${spec.bucket} in ${spec.region}`,
        spec.endpoint ? ` at ${spec.endpoint}` : ' (AWS)',
        spec.pathStyle ? ', path-style' : '',
        `, access key ${spec.accessKeyId}`,
        spec.serverSideEncryption ? `, server-side encryption ${spec.serverSideEncryption}` : '',
      ].join('');
    case 'azure':
      return `Azure container ${spec.container} in account ${spec.account}${spec.endpoint ? ` at ${spec.endpoint}` : ''}, ${
        spec.auth === 'sas' ? 'SAS token' : 'account key'
      }`;
  }
}
