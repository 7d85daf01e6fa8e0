/** A submit button that says what it is doing while the request runs. */
import type { ReactNode } from 'react';

export interface SubmitButtonProps {
  busy: boolean;
  children: ReactNode;
  busyLabel?: string;
  disabled?: boolean;
  variant?: 'primary' | 'danger' | 'secondary';
}

export function SubmitButton({ busy, children, busyLabel, disabled, variant = 'primary' }: SubmitButtonProps) {
  return (
    <button type="submit" className={`btn btn-${variant}`} disabled={busy || disabled} aria-busy={busy || undefined}>
      {busy ? (busyLabel ?? 'Working…') : children}
    </button>
  );
}
