/** What the onboarding wizard collects, and which step owns each field the server may name. */
import type { Plan } from '../types';
import { emptyStorage, type StorageDraft } from '../storage/storageDraft';

/** `platform`: the platform's default, nothing to send; `hosted`: registered right after creation. */
export type StorageMode = 'platform' | 'hosted';

/** `invite`: the admin gets a one-time code and picks their own password; `password`: set here. */
export type AdminMode = 'invite' | 'password';

export interface TenantDraft {
  displayName: string;
  slug: string;
  /** False while the slug follows the name; true once the operator typed one. */
  slugEdited: boolean;
  plan: Plan;
  /** Database server name to pin the tenant to; empty: automatic (fewest tenants). */
  server: string;
  storageMode: StorageMode;
  storage: StorageDraft;
  adminMode: AdminMode;
  adminEmail: string;
  /** Only sent with `adminMode: 'password'`. */
  adminPassword: string;
  adminPasswordConfirm: string;
}

export const EMPTY_DRAFT: TenantDraft = {
  displayName: '',
  slug: '',
  slugEdited: false,
  plan: 'standard',
  server: '',
  storageMode: 'platform',
  storage: emptyStorage(),
  adminMode: 'invite',
  adminEmail: '',
  adminPassword: '',
  adminPasswordConfirm: '',
};

export const STEPS = ['Identity', 'Plan and placement', 'Storage', 'First admin', 'Review'] as const;

export const STEP = { identity: 0, plan: 1, storage: 2, admin: 3, review: 4 } as const;

/** Server field name (`details.field`) → wizard step index. */
export const FIELD_STEP: Record<string, number> = {
  displayName: STEP.identity,
  slug: STEP.identity,
  plan: STEP.plan,
  server: STEP.plan,
  'admin.email': STEP.admin,
  'admin.password': STEP.admin,
};
