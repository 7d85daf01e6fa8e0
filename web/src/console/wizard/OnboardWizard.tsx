/**
 * The onboarding wizard: identity → plan and placement → storage → first admin → review →
 * create with live progress → (a tenant-hosted backend) register the storage. Each step
 * validates before "Next" with the server's own rules; a server error that names a field sends
 * the operator back to the step that owns it.
 *
 * The plan step also offers pinning the tenant to a database server (default: automatic); the
 * admin step inviting the first admin (a one-time code on the ready screen) or setting a password.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { ApiError } from '../../api/errors';
import { useConsole } from '../context';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { fieldError, isFieldError } from '../../shared/forms/fieldError';
import { validateDisplayName, validateEmail, validatePassword, validateSlug } from '../../shared/validation';
import { EMPTY_DRAFT, FIELD_STEP, STEP, STEPS, type TenantDraft } from './draft';
import { IdentityStep } from './IdentityStep';
import { PlanStep } from './PlanStep';
import { StorageStep } from './StorageStep';
import { AdminStep } from './AdminStep';
import { ApplyStorage } from './ApplyStorage';
import { FirstAdminAccess } from './FirstAdminAccess';
import { emptyStorage, isStorageValid, validateStorage, withoutSecrets } from '../storage/storageDraft';
import { ReviewStep } from './ReviewStep';
import { ProvisioningProgress } from './ProvisioningProgress';
import { useSlugAvailability } from './useSlugAvailability';
import { useProvisioning } from './useProvisioning';
import { templateFromMeta, templateFromTenant } from './tenantUrl';

function useUrlTemplate(): string | null {
  const { api } = useConsole();
  const [template, setTemplate] = useState<string | null>(() => templateFromMeta());
  useEffect(() => {
    if (template) return;
    call(api.GET('/v1/tenants', { params: { query: { limit: 1 } } })).then(
      (page) => setTemplate(templateFromTenant(page.items[0])),
      () => undefined,
    );
  }, [api, template]);
  return template;
}

export function OnboardWizard() {
  const { api } = useConsole();
  const [draft, setDraft] = useState<TenantDraft>(EMPTY_DRAFT);
  const [step, setStep] = useState(0);
  const [showErrors, setShowErrors] = useState<boolean[]>(STEPS.map(() => false));
  const provisioning = useProvisioning(api);
  const urlTemplate = useUrlTemplate();
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  const slugError = validateSlug(draft.slug);
  const availability = useSlugAvailability(api, draft.slug, slugError === null);
  const serverError = provisioning.phase === 'idle' ? provisioning.error : null;

  const errors = {
    displayName: validateDisplayName(draft.displayName) ?? fieldError(serverError, 'displayName'),
    slug: slugError ?? fieldError(serverError, 'slug'),
    email: validateEmail(draft.adminEmail) ?? fieldError(serverError, 'admin.email'),
    password: validatePassword(draft.adminPassword) ?? fieldError(serverError, 'admin.password'),
    confirm: draft.adminPassword === draft.adminPasswordConfirm ? null : 'the two passwords differ',
  };
  const storageErrors = validateStorage(draft.storage);
  const stepValid = [
    !errors.displayName && !errors.slug && availability !== 'taken',
    true,
    draft.storageMode === 'platform' || isStorageValid(storageErrors),
    !errors.email && (draft.adminMode === 'invite' || (!errors.password && !errors.confirm)),
    true,
  ];

  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    stepHeading.current?.focus();
  }, [step]);

  // A server error that names a field: back to the step that owns it.
  useEffect(() => {
    if (serverError instanceof ApiError && serverError.field && FIELD_STEP[serverError.field] !== undefined) {
      setStep(FIELD_STEP[serverError.field] ?? 0);
    }
  }, [serverError]);

  function update(patch: Partial<TenantDraft>) {
    setDraft((d) => ({ ...d, ...patch }));
    // The server's verdict was about the old values.
    if (provisioning.error) provisioning.reset();
  }

  function onNext(e: FormEvent) {
    e.preventDefault();
    if (!stepValid[step]) {
      setShowErrors((s) => s.map((v, i) => (i === step ? true : v)));
      return;
    }
    if (step < STEPS.length - 1) {
      setStep(step + 1);
      return;
    }
    void provisioning.start({
      slug: draft.slug,
      displayName: draft.displayName.trim(),
      plan: draft.plan,
      ...(draft.server ? { server: draft.server } : {}),
      admin:
        draft.adminMode === 'invite'
          ? { email: draft.adminEmail.trim() }
          : { email: draft.adminEmail.trim(), password: draft.adminPassword },
    });
  }

  function startOver() {
    provisioning.reset();
    setDraft({ ...EMPTY_DRAFT, storage: emptyStorage() });
    setShowErrors(STEPS.map(() => false));
    setStep(0);
  }

  if (provisioning.phase !== 'idle') {
    return (
      <Page title="Onboard a tenant" site="Tenantry console">
        <ProvisioningProgress
          phase={provisioning.phase}
          job={provisioning.job}
          tenant={provisioning.tenant}
          error={provisioning.error}
          onJobChanged={(job) => void provisioning.jobChanged(job)}
          onStartOver={startOver}
          afterReady={
            provisioning.tenant ? (
              <>
                {draft.adminMode === 'invite' ? (
                  <FirstAdminAccess
                    tenant={provisioning.tenant}
                    email={draft.adminEmail.trim()}
                    invitation={provisioning.invitation}
                  />
                ) : null}
                {draft.storageMode === 'hosted' ? (
                  <ApplyStorage
                    tenant={provisioning.tenant}
                    draft={draft.storage}
                    onApplied={() => setDraft((d) => ({ ...d, storage: withoutSecrets(d.storage) }))}
                  />
                ) : null}
              </>
            ) : null
          }
        />
      </Page>
    );
  }

  const show = showErrors[step] ?? false;
  const shownAtField = isFieldError(serverError, Object.keys(FIELD_STEP));
  return (
    <Page title="Onboard a tenant" site="Tenantry console">
      <ol className="wizard-steps" aria-label="Steps">
        {STEPS.map((name, i) => (
          <li key={name} aria-current={i === step ? 'step' : undefined} className={i < step ? 'done' : undefined}>
            <span className="wizard-step-number">{i + 1}</span> {name}
          </li>
        ))}
      </ol>
      <form onSubmit={onNext} noValidate className="card wizard">
        <h2 tabIndex={-1} ref={stepHeading}>
          Step {step + 1} of {STEPS.length}: {STEPS[step]}
        </h2>
        {shownAtField ? null : <ErrorAlert error={serverError} />}
        {step === STEP.identity ? (
          <IdentityStep
            draft={draft}
            onChange={update}
            nameError={errors.displayName}
            slugError={errors.slug}
            availability={availability}
            urlTemplate={urlTemplate}
            showErrors={show}
          />
        ) : null}
        {step === STEP.plan ? (
          <PlanStep plan={draft.plan} server={draft.server} onChange={update} serverError={serverError} />
        ) : null}
        {step === STEP.storage ? (
          <StorageStep
            draft={draft}
            onChange={update}
            errors={show ? storageErrors : { primary: {}, fallback: {}, fallbackGroup: null }}
          />
        ) : null}
        {step === STEP.admin ? (
          <AdminStep
            draft={draft}
            onChange={update}
            errors={
              show
                ? errors
                : { email: fieldError(serverError, 'admin.email'), password: fieldError(serverError, 'admin.password'), confirm: null }
            }
          />
        ) : null}
        {step === STEP.review ? <ReviewStep draft={draft} urlTemplate={urlTemplate} onEdit={setStep} /> : null}
        <div className="button-row">
          {step > 0 ? (
            <button type="button" className="btn btn-secondary" onClick={() => setStep(step - 1)}>
              Back
            </button>
          ) : null}
          <button type="submit" className="btn btn-primary">
            {step === STEPS.length - 1 ? 'Create tenant' : 'Next'}
          </button>
        </div>
      </form>
    </Page>
  );
}
