/**
 * The frame every labelled control shares: the label (with a required mark), the hint and the
 * error below it, and the ids that tie them to the control for screen readers. `children`
 * renders the control with the ids it is given.
 */
import { useId, type ReactNode } from 'react';

export interface ControlIds {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

export interface FieldFrameProps {
  label: string;
  id?: string;
  className?: string;
  required?: boolean;
  error?: string | null;
  hint?: ReactNode;
  children: (ids: ControlIds) => ReactNode;
}

export function FieldFrame({ label, id, className, required, error, hint, children }: FieldFrameProps) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={controlId}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {children({ id: controlId, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint ? (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={errorId}>
          {error}
        </div>
      ) : null}
    </div>
  );
}
