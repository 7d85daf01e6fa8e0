/** Wizard step 4: everything at a glance, each part editable, before the tenant is created. */
import type { TenantDraft } from './draft';
import { tenantUrl } from './tenantUrl';

export interface ReviewStepProps {
  draft: TenantDraft;
  urlTemplate: string | null;
  onEdit: (step: number) => void;
}

export function ReviewStep({ draft, urlTemplate, onEdit }: ReviewStepProps) {
  const edit = (step: number, what: string) => (
    <button type="button" className="btn btn-link" onClick={() => onEdit(step)}>
      Change <span className="visually-hidden">{what}</span>
    </button>
  );
  return (
    <dl className="facts review">
      <dt>Name</dt>
      <dd>
        {draft.displayName.trim()} {edit(0, 'name')}
      </dd>
      <dt>Slug</dt>
      <dd>
        <code>{draft.slug}</code> {edit(0, 'slug')}
      </dd>
      <dt>URL</dt>
      <dd>{tenantUrl(urlTemplate, draft.slug) ?? 'shown after creation'}</dd>
      <dt>Plan</dt>
      <dd>
        {draft.plan} {edit(1, 'plan')}
      </dd>
      <dt>First admin</dt>
      <dd>
        {draft.adminEmail.trim()} (password set) {edit(2, 'first admin')}
      </dd>
    </dl>
  );
}
