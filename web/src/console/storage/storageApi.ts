/**
 * A tenant's storage on the control plane (`GET`/`PUT /v1/tenants/{t}/storage`), typed as the
 * server actually speaks it.
 *
 * The generated types name the S3 fields `access_key_id`, `path_style` and
 * `server_side_encryption`, but the server reads and writes `accessKeyId`, `pathStyle` and
 * `serverSideEncryption` (serde `rename_all_fields = "camelCase"`, which utoipa does not pick
 * up when it writes docs/openapi/control-plane.json). These types follow the wire; the two
 * casts below are the only places that bridge them. Once the document is fixed,
 * `npm run gen:api` makes the casts unnecessary and `BackendSpec` can be the generated one.
 */
import { call } from '../../api/call';
import { ApiError } from '../../api/errors';
import type { ControlApi } from '../../api/control';
import type { components } from '../../api/generated/control-plane';

export type BackendKind = 'platform' | 'nas' | 's3' | 'azure';
export type AzureAuth = components['schemas']['AzureAuth'];

export type BackendSpec =
  | { kind: 'platform' }
  | { kind: 'nas'; root: string }
  | {
      kind: 's3';
      endpoint?: string | null;
      region: string;
      bucket: string;
      pathStyle?: boolean;
      accessKeyId: string;
      /** `AES256` or `aws:kms`. */
      serverSideEncryption?: string | null;
    }
  | { kind: 'azure'; endpoint?: string | null; account: string; container: string; auth: AzureAuth };

export interface StorageView {
  primary: BackendSpec;
  fallback?: BackendSpec | null;
  encrypted: boolean;
  /** `unknown`, `ok`, `degraded` or `failing`. */
  health: string;
  healthDetail?: string | null;
  checkedAt?: string | null;
}

export interface StorageBody {
  primary: BackendSpec;
  fallback?: BackendSpec | null;
  encrypted?: boolean;
  /** Write-only: an S3 secret access key, an Azure account key or SAS token. */
  secrets?: { primary?: string; fallback?: string };
}

type GeneratedBody = components['schemas']['StorageBody'];

/** The tenant's storage, or null when none is configured (`404`). */
export async function getStorage(api: ControlApi, tenant: string): Promise<StorageView | null> {
  try {
    const view = await call(api.GET('/v1/tenants/{tenant}/storage', { params: { path: { tenant } } }));
    return view as unknown as StorageView;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** Registers the backends after the server's live check; a failed check is `422` naming `primary` or `fallback`. */
export async function putStorage(api: ControlApi, tenant: string, body: StorageBody): Promise<StorageView> {
  const view = await call(
    api.PUT('/v1/tenants/{tenant}/storage', { params: { path: { tenant } }, body: body as unknown as GeneratedBody }),
  );
  return view as unknown as StorageView;
}
