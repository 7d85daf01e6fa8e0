/** A labelled input with its hint and error wired up for screen readers. */
import { type InputHTMLAttributes, type ReactNode } from 'react';
import { FieldFrame } from './FieldFrame';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint?: ReactNode;
}

export function TextField({ label, value, onChange, error, hint, id, className, ...input }: TextFieldProps) {
  return (
    <FieldFrame label={label} id={id} className={className} required={input.required} error={error} hint={hint}>
      {(ids) => <input {...ids} value={value} onChange={(e) => onChange(e.target.value)} {...input} />}
    </FieldFrame>
  );
}
