/** The workspace's name, branding (colour, logo) and sign-up policy (`PATCH /v1/tenant`). */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useIdentity, usePortal } from '../context';
import type { ProfileView } from '../types';
import { applyBranding } from '../branding';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Notice } from '../../shared/Status';
import { TextField } from '../../shared/forms/TextField';
import { SelectField } from '../../shared/forms/SelectField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError } from '../../shared/forms/fieldError';
import { useSubmit } from '../../shared/useSubmit';
import { validateColor, validateDisplayName, validateHttpsUrl } from '../../shared/validation';

const POLICIES = [
  { value: 'invite_only', label: 'By invitation only' },
  { value: 'open', label: 'Anyone may sign up (as viewer)' },
] as const;

export function SettingsPage() {
  const { api } = usePortal();
  const { tenant, setTenant } = useIdentity();
  const [name, setName] = useState(tenant.displayName);
  const [color, setColor] = useState(tenant.branding.primaryColor ?? '');
  const [logo, setLogo] = useState(tenant.branding.logoUrl ?? '');
  const [policy, setPolicy] = useState<ProfileView['signupPolicy']>(tenant.signupPolicy);
  const [saved, setSaved] = useState(false);
  const save = useSubmit(async () => {
    const body = {
      displayName: name.trim(),
      signupPolicy: policy,
      branding: { primaryColor: color || null, logoUrl: logo.trim() || null },
    };
    const next = await call(api.PATCH('/v1/tenant', { body }));
    setTenant(next);
    applyBranding(next);
    setSaved(true);
  });
  const errors = {
    name: validateDisplayName(name) ?? fieldError(save.error, 'displayName'),
    color: (color ? validateColor(color) : null) ?? fieldError(save.error, 'branding.primaryColor'),
    logo: (logo.trim() ? validateHttpsUrl(logo.trim()) : null) ?? fieldError(save.error, 'branding.logoUrl'),
  };

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    if (errors.name || errors.color || errors.logo) return;
    void save.run();
  }

  return (
    <Page title="Workspace settings" site={tenant.displayName}>
      <form onSubmit={onSubmit} noValidate className="card">
        {saved ? <Notice>Saved.</Notice> : null}
        <ErrorAlert error={save.error} />
        <TextField label="Name" required maxLength={100} value={name} onChange={setName} error={errors.name} />
        <div className="inline-fields">
          <TextField label="Primary colour" value={color} onChange={setColor} placeholder="#1f4e8c" error={errors.color} hint="#rrggbb; empty for the default." />
          <div className="field">
            <label htmlFor="color-picker">Pick a colour</label>
            <input id="color-picker" type="color" value={color || '#1f4e8c'} onChange={(e) => setColor(e.target.value)} />
          </div>
        </div>
        <TextField label="Logo URL" type="url" value={logo} onChange={setLogo} placeholder="https://" error={errors.logo} hint="An https address of an image." />
        <SelectField label="Who can sign up" value={policy} options={POLICIES} onChange={setPolicy} />
        <SubmitButton busy={save.busy} busyLabel="Saving…">
          Save settings
        </SubmitButton>
      </form>
    </Page>
  );
}
