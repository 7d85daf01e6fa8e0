/** Wizard step 2: the commercial plan and, optionally, the database server to place the tenant on. */
import { PLANS, type Plan } from '../types';
import { fieldError } from '../../shared/forms/fieldError';
import { ServerChoice } from './ServerChoice';

const DESCRIPTIONS: Record<Plan, string> = {
  free: 'For trials and small teams.',
  standard: 'The default plan.',
  enterprise: 'For large or regulated tenants.',
};

export interface PlanStepProps {
  plan: Plan;
  server: string;
  onChange: (patch: { plan?: Plan; server?: string }) => void;
  serverError: unknown;
}

export function PlanStep({ plan, server, onChange, serverError }: PlanStepProps) {
  const error = fieldError(serverError, 'plan');
  return (
    <>
      <fieldset className="radio-group">
        <legend>Plan</legend>
        {PLANS.map((p) => (
          <label key={p} className="radio">
            <input type="radio" name="plan" value={p} checked={plan === p} onChange={() => onChange({ plan: p })} />
            <span>
              <strong>{p}</strong> <span className="muted">{DESCRIPTIONS[p]}</span>
            </span>
          </label>
        ))}
        {error ? <div className="field-error">{error}</div> : null}
        <p className="hint">
          The plan sets the file limits: free 25 MiB per upload and 1 GiB in all, standard 512 MiB and 50 GiB,
          enterprise 5 GiB and 1 TiB.
        </p>
      </fieldset>
      <ServerChoice value={server} onChange={(s) => onChange({ server: s })} error={fieldError(serverError, 'server')} />
    </>
  );
}
