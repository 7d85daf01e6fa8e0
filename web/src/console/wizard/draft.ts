/** What the onboarding wizard collects, and which step owns each field the server may name. */
import type { Plan } from '../types';

export interface TenantDraft {
  displayName: string;
  slug: string;
  /** False while the slug follows the name; true once the operator typed one. */
  slugEdited: boolean;
  plan: Plan;
  adminEmail: string;
  adminPassword: string;
  adminPasswordConfirm: string;
}

export const EMPTY_DRAFT: TenantDraft = {
  displayName: '',
  slug: '',
  slugEdited: false,
  plan: 'standard',
  adminEmail: '',
  adminPassword: '',
  adminPasswordConfirm: '',
};

export const STEPS = ['Identity', 'Plan', 'First admin', 'Review'] as const;

/** Server field name (`details.field`) → wizard step index. */
export const FIELD_STEP: Record<string, number> = {
  displayName: 0,
  slug: 0,
  plan: 1,
  'admin.email': 2,
  'admin.password': 2,
};
