/**
 * Wizard step 4: the tenant's first admin (its owner). Either invited — `POST /v1/tenants` with
 * the e-mail only; the answer carries a one-time code the admin pastes at the portal's
 * `/accept-invitation`, choosing their own password — or given a password set here.
 */
import type { AdminMode, TenantDraft } from './draft';
import { TextField } from '../../shared/forms/TextField';

export interface AdminStepProps {
  draft: TenantDraft;
  onChange: (patch: Partial<TenantDraft>) => void;
  errors: { email: string | null; password: string | null; confirm: string | null };
}

const MODES: readonly { value: AdminMode; label: string; hint: string }[] = [
  {
    value: 'invite',
    label: 'Send an invitation',
    hint: 'You get a one-time code after creation; the admin pastes it in the portal and chooses their own password.',
  },
  { value: 'password', label: 'Set a password', hint: 'Give the admin the password through a safe channel.' },
];

export function AdminStep({ draft, onChange, errors }: AdminStepProps) {
  return (
    <>
      <p>The first admin becomes the tenant&rsquo;s owner and can invite the rest of their team from the portal.</p>
      <TextField
        label="Admin e-mail"
        type="email"
        required
        autoComplete="off"
        value={draft.adminEmail}
        onChange={(adminEmail) => onChange({ adminEmail })}
        error={errors.email}
      />
      <fieldset className="radio-group">
        <legend>How the admin gets in</legend>
        {MODES.map((m) => (
          <label key={m.value} className="radio">
            <input
              type="radio"
              name="adminMode"
              value={m.value}
              checked={draft.adminMode === m.value}
              onChange={() => onChange({ adminMode: m.value })}
            />
            <span>
              <strong>{m.label}</strong> <span className="muted">{m.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {draft.adminMode === 'password' ? (
        <>
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
      ) : null}
    </>
  );
}
