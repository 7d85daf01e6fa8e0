/** Wizard step 2: the commercial plan (limits per plan come with the limits issue). */
import { PLANS, type Plan } from '../types';
import { fieldError } from '../../shared/forms/fieldError';

const DESCRIPTIONS: Record<Plan, string> = {
  free: 'For trials and small teams.',
  standard: 'The default plan.',
  enterprise: 'For large or regulated tenants.',
};

export function PlanStep({ plan, onChange, serverError }: { plan: Plan; onChange: (p: Plan) => void; serverError: unknown }) {
  const error = fieldError(serverError, 'plan');
  return (
    <fieldset className="radio-group">
      <legend>Plan</legend>
      {PLANS.map((p) => (
        <label key={p} className="radio">
          <input type="radio" name="plan" value={p} checked={plan === p} onChange={() => onChange(p)} />
          <span>
            <strong>{p}</strong> <span className="muted">{DESCRIPTIONS[p]}</span>
          </span>
        </label>
      ))}
      {error ? <div className="field-error">{error}</div> : null}
      <p className="hint">
        Placement on a database server is automatic (the default server); choosing a server comes with the servers
        API. The plan sets the file limits: free 25 MiB per upload and 1 GiB in all, standard 512 MiB and 50 GiB,
        enterprise 5 GiB and 1 TiB.
      </p>
    </fieldset>
  );
}
