/**
 * The tenant's branding as its portal shows it (`GET/PUT /v1/tenants/{t}/branding`): primary
 * colour (`#rrggbb`, with a swatch) and logo URL (`https://`, at most 2048 characters); empty
 * unsets. The tenant's admins can change both again in their portal. A tenant that is not
 * active answers `409`, whose message is shown. The logo is not previewed: the console's CSP
 * loads no image from other hosts.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { Branding } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Loading, Notice } from '../../shared/Status';
import { TextField } from '../../shared/forms/TextField';
import { SubmitButton } from '../../shared/forms/SubmitButton';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { useLoad } from '../../shared/useLoad';
import { useSubmit } from '../../shared/useSubmit';
import { validateColor, validateLogoUrl } from '../../shared/validation';
import { HEX, textOn } from '../../shared/color';

const DEFAULT_COLOR = '#1f4e8c';

function BrandingForm({ tenant, initial, onSaved }: { tenant: string; initial: Branding; onSaved: () => void }) {
  const { api } = useConsole();
  const [color, setColor] = useState(initial.primaryColor ?? '');
  const [logo, setLogo] = useState(initial.logoUrl ?? '');
  const [saved, setSaved] = useState(false);
  const save = useSubmit(async () => {
    const body = { primaryColor: color.trim() || null, logoUrl: logo.trim() || null };
    const next = await call(api.PUT('/v1/tenants/{tenant}/branding', { params: { path: { tenant } }, body }));
    setColor(next.primaryColor ?? '');
    setLogo(next.logoUrl ?? '');
    setSaved(true);
    onSaved();
  });
  const errors = {
    color: (color.trim() ? validateColor(color.trim()) : null) ?? fieldError(save.error, 'primaryColor'),
    logo: (logo.trim() ? validateLogoUrl(logo.trim()) : null) ?? fieldError(save.error, 'logoUrl'),
  };
  const swatch = HEX.test(color.trim()) ? color.trim() : null;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    if (!errors.color && !errors.logo) void save.run();
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      {saved ? <Notice>Branding saved: the portal shows it from its next page load.</Notice> : null}
      {isFieldError(save.error, ['primaryColor', 'logoUrl']) ? null : <ErrorAlert error={save.error} />}
      <div className="inline-fields">
        <TextField
          label="Primary colour"
          value={color}
          onChange={setColor}
          placeholder={DEFAULT_COLOR}
          spellCheck={false}
          hint="#rrggbb; empty for the default."
          error={errors.color}
        />
        <div className="field">
          <label htmlFor={`color-picker-${tenant}`}>Pick a colour</label>
          <input
            id={`color-picker-${tenant}`}
            type="color"
            value={swatch ?? DEFAULT_COLOR}
            onChange={(e) => setColor(e.target.value)}
          />
        </div>
        <div className="field">
          <span className="field-label">Preview</span>
          <span
            className="swatch"
            data-testid="branding-swatch"
            style={{ backgroundColor: swatch ?? DEFAULT_COLOR, color: textOn(swatch ?? DEFAULT_COLOR) }}
          >
            {swatch ? `Sample button in ${swatch}` : 'Sample button, default colour'}
          </span>
        </div>
      </div>
      <TextField
        label="Logo URL"
        type="url"
        value={logo}
        onChange={setLogo}
        placeholder="https://"
        spellCheck={false}
        hint="An https address of an image, at most 2048 characters; empty for none."
        error={errors.logo}
      />
      <SubmitButton busy={save.busy} busyLabel="Saving…">
        Save branding
      </SubmitButton>
    </form>
  );
}

export function BrandingSection({ tenant, onChanged }: { tenant: string; onChanged: () => void }) {
  const { api } = useConsole();
  const branding = useLoad(() => call(api.GET('/v1/tenants/{tenant}/branding', { params: { path: { tenant } } })), [api, tenant]);
  return (
    <>
      <p>How the tenant&rsquo;s portal looks. Its admins can change it in the portal&rsquo;s settings too.</p>
      <ErrorAlert error={branding.error} title="The branding cannot be loaded" />
      {branding.loading && !branding.data ? <Loading label="Loading the branding…" /> : null}
      {branding.data ? <BrandingForm tenant={tenant} initial={branding.data} onSaved={onChanged} /> : null}
    </>
  );
}
