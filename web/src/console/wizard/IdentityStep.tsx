/** Wizard step 1: the tenant's name and slug, validated as typed, with its future URL. */
import type { Availability } from './useSlugAvailability';
import type { TenantDraft } from './draft';
import { TextField } from '../../shared/forms/TextField';
import { suggestSlug } from '../../shared/validation';
import { tenantUrl } from './tenantUrl';

export interface IdentityStepProps {
  draft: TenantDraft;
  onChange: (patch: Partial<TenantDraft>) => void;
  nameError: string | null;
  slugError: string | null;
  availability: Availability;
  urlTemplate: string | null;
  showErrors: boolean;
}

const AVAILABILITY_TEXT: Record<Availability, string> = {
  unknown: '',
  checking: 'Checking whether the slug is free…',
  available: 'The slug is free.',
  taken: 'The slug is taken by another tenant.',
  error: 'Could not check the slug now; it is checked again on create.',
};

export function IdentityStep({ draft, onChange, nameError, slugError, availability, urlTemplate, showErrors }: IdentityStepProps) {
  const url = draft.slug && !slugError ? tenantUrl(urlTemplate, draft.slug) : null;
  // Slug problems are shown live once something was typed; the name's only after "Next".
  const slugMessage = draft.slug || showErrors ? slugError : null;
  return (
    <>
      <TextField
        label="Tenant name"
        required
        value={draft.displayName}
        maxLength={100}
        onChange={(displayName) =>
          onChange(draft.slugEdited ? { displayName } : { displayName, slug: suggestSlug(displayName) })
        }
        error={showErrors ? nameError : null}
        hint="Shown to the tenant's users, e.g. “Acme Ltd”."
      />
      <TextField
        label="Slug"
        required
        value={draft.slug}
        maxLength={63}
        autoComplete="off"
        spellCheck={false}
        onChange={(slug) => onChange({ slug: slug.toLowerCase(), slugEdited: true })}
        error={slugMessage ?? (availability === 'taken' ? 'slug is taken' : null)}
        hint="3–63 lower-case letters, digits and single hyphens; starts with a letter. It names the tenant in its URL and cannot change later."
      />
      <p className="availability" role="status" aria-live="polite">
        {slugMessage ? '' : AVAILABILITY_TEXT[availability]}
      </p>
      <div className="url-preview">
        <span className="muted">Portal and API URL: </span>
        {url ? (
          <code data-testid="url-preview">{url}</code>
        ) : (
          <span className="muted">
            {!draft.slug || slugError ? 'shown once the slug is valid' : `${draft.slug}.… (the full URL is shown after creation)`}
          </span>
        )}
      </div>
    </>
  );
}
