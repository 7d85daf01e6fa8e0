/** A labelled `<select>` with an optional hint and error. */
import { useId, type ReactNode } from 'react';

export interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  /** A `disabled` option is listed but cannot be chosen (say why in its label). */
  options: readonly { value: T; label: string; disabled?: boolean }[];
  onChange: (value: T) => void;
  error?: string | null;
  hint?: ReactNode;
  disabled?: boolean;
  name?: string;
}

export function SelectField<T extends string>({ label, value, options, onChange, error, hint, disabled, name }: SelectFieldProps<T>) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value as T)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
      {hint ? <div className="hint" id={`${id}-hint`}>{hint}</div> : null}
      {error ? <div className="field-error" id={`${id}-error`}>{error}</div> : null}
    </div>
  );
}
