/** Wizard step 5: everything at a glance, each part editable, before the tenant is created. */
import { STEP, type TenantDraft } from './draft';
import { tenantUrl } from './tenantUrl';
import { describeBackend, specFromDraft } from '../storage/storageDraft';

function storageSummary(draft: TenantDraft): string {
  if (draft.storageMode === 'platform') return 'platform default';
  const s = draft.storage;
  return [
    describeBackend(specFromDraft(s.primary)),
    s.fallbackOn ? `; fallback: ${describeBackend(specFromDraft(s.fallback))}` : '',
    s.encrypted ? '; encrypted with the tenant’s key' : '; not encrypted by the platform',
    ' — checked live after creation',
  ].join('');
}

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
        {draft.displayName.trim()} {edit(STEP.identity, 'name')}
      </dd>
      <dt>Slug</dt>
      <dd>
        <code>{draft.slug}</code> {edit(STEP.identity, 'slug')}
      </dd>
      <dt>URL</dt>
      <dd>{tenantUrl(urlTemplate, draft.slug) ?? 'shown after creation'}</dd>
      <dt>Plan</dt>
      <dd>
        {draft.plan} {edit(STEP.plan, 'plan')}
      </dd>
      <dt>Database server</dt>
      <dd>
        {draft.server ? <code>{draft.server}</code> : 'automatic (fewest tenants)'} {edit(STEP.plan, 'database server')}
      </dd>
      <dt>Storage</dt>
      <dd>
        {storageSummary(draft)} {edit(STEP.storage, 'storage')}
      </dd>
      <dt>First admin</dt>
      <dd>
        {draft.adminEmail.trim()}{' '}
        {draft.adminMode === 'invite' ? '(invited: a one-time code is shown after creation)' : '(password set)'}{' '}
        {edit(STEP.admin, 'first admin')}
      </dd>
    </dl>
  );
}
