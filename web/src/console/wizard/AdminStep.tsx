/** Wizard step 3: the tenant's first admin (its owner), who signs in to the portal. */
import type { TenantDraft } from './draft';
import { TextField } from '../../shared/forms/TextField';

export interface AdminStepProps {
  draft: TenantDraft;
  onChange: (patch: Partial<TenantDraft>) => void;
  errors: { email: string | null; password: string | null; confirm: string | null };
}

export function AdminStep({ draft, onChange, errors }: AdminStepProps) {
  return (
    <>
      <p>
        The first admin becomes the tenant&rsquo;s owner. Give them the password through a safe channel; they can invite
        the rest of their team from the portal.
      </p>
      <TextField
        label="Admin e-mail"
        type="email"
        required
        autoComplete="off"
        value={draft.adminEmail}
        onChange={(adminEmail) => onChange({ adminEmail })}
        error={errors.email}
      />
      <TextField
        label="Admin password"
        type="password"
        required
        autoComplete="new-password"
        value={draft.adminPassword}
        onChange={(adminPassword) => onChange({ adminPassword })}
        error={errors.password}
        hint="12 to 1024 characters."
      />
      <TextField
        label="Admin password again"
        type="password"
        required
        autoComplete="new-password"
        value={draft.adminPasswordConfirm}
        onChange={(adminPasswordConfirm) => onChange({ adminPasswordConfirm })}
        error={errors.confirm}
      />
    </>
  );
}
