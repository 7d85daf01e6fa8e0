/**
 * The "create a sandbox" form's values and the server's rules for them (provisioner
 * `create_sandbox`): a lifetime between 1 minute and 7 days (default 30 minutes), a label of
 * at most 60 printable characters, a plan (default `standard`), an optional server to pin to.
 */
import type { NewSandboxBody, Plan } from '../types';

export interface SandboxDraft {
  label: string;
  /** Empty: the server's default (`standard`). */
  plan: Plan | '';
  /** Lifetime in minutes, as typed. */
  minutes: string;
  /** Empty: automatic placement. */
  server: string;
}

export type SandboxErrors = Partial<Record<'label' | 'minutes', string>>;

export const DEFAULT_MINUTES = 30;
export const MAX_MINUTES = 7 * 24 * 60;

export function emptySandboxDraft(): SandboxDraft {
  return { label: '', plan: '', minutes: String(DEFAULT_MINUTES), server: '' };
}

export function validateSandboxDraft(d: SandboxDraft): SandboxErrors {
  const errors: SandboxErrors = {};
  const label = d.label.trim();
  if ([...label].length > 60 || /\p{Cc}/u.test(label)) errors.label = 'at most 60 printable characters';
  const minutes = d.minutes.trim();
  if (!/^\d+$/.test(minutes) || Number(minutes) < 1 || Number(minutes) > MAX_MINUTES) {
    errors.minutes = `between 1 minute and 7 days (${MAX_MINUTES} minutes)`;
  }
  return errors;
}

/** `POST /v1/sandboxes` body: empty choices are left to the server's defaults. */
export function sandboxBody(d: SandboxDraft): NewSandboxBody {
  const label = d.label.trim();
  return {
    ttlSeconds: Number(d.minutes.trim()) * 60,
    ...(label ? { label } : {}),
    ...(d.plan ? { plan: d.plan } : {}),
    ...(d.server ? { server: d.server } : {}),
  };
}
