/**
 * A provisioning job's steps in saga order with their state, attempts, time and last error
 * (`provisioning_jobs.steps`: step → `{state, attempts, error?, at, duration_ms}`).
 */
import { isRecord } from '../../api/errors';
import { PROVISIONING_STEPS } from '../types';

interface StepRecord {
  state: string;
  attempts: number;
  error: string | null;
  durationMs: number | null;
}

function readStep(value: unknown): StepRecord | null {
  if (!isRecord(value)) return null;
  return {
    state: typeof value.state === 'string' ? value.state : 'unknown',
    attempts: typeof value.attempts === 'number' ? value.attempts : 0,
    error: typeof value.error === 'string' ? value.error : null,
    durationMs: typeof value.duration_ms === 'number' ? value.duration_ms : null,
  };
}

export interface JobStepsProps {
  steps: unknown;
  currentStep?: string | null;
  jobState?: string | null;
}

const LABELS: Record<string, string> = {
  done: 'done',
  failed: 'failed',
  running: 'in progress',
  waiting: 'waiting',
};

export function JobSteps({ steps, currentStep, jobState }: JobStepsProps) {
  const record = isRecord(steps) ? steps : {};
  const names = [...PROVISIONING_STEPS, ...Object.keys(record).filter((k) => !(PROVISIONING_STEPS as readonly string[]).includes(k))];
  return (
    <ol className="steps">
      {names.map((name) => {
        const step = readStep(record[name]);
        let state = step?.state ?? 'waiting';
        if (state !== 'done' && state !== 'failed' && name === currentStep && (jobState === 'running' || jobState === 'pending')) {
          state = 'running';
        }
        return (
          <li key={name} className={`step step-${state}`}>
            <span className="step-icon" aria-hidden="true">
              {state === 'done' ? '✓' : state === 'failed' ? '✕' : state === 'running' ? '…' : '○'}
            </span>
            <span className="step-name">{name.replace(/_/g, ' ')}</span>
            <span className="step-state">{LABELS[state] ?? state}</span>
            {step && step.attempts > 1 ? <span className="muted"> · {step.attempts} attempts</span> : null}
            {step?.durationMs !== null && step?.durationMs !== undefined && state === 'done' ? (
              <span className="muted"> · {step.durationMs} ms</span>
            ) : null}
            {step?.error ? <div className="step-error">{step.error}</div> : null}
          </li>
        );
      })}
    </ol>
  );
}
