/** A labelled `<textarea>` with its hint and error wired up for screen readers, like `TextField`. */
import { type ReactNode, type TextareaHTMLAttributes } from 'react';
import { FieldFrame } from './FieldFrame';

export interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value'> {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint?: ReactNode;
}

export function TextAreaField({ label, value, onChange, error, hint, id, className, ...textarea }: TextAreaFieldProps) {
  return (
    <FieldFrame label={label} id={id} className={className} required={textarea.required} error={error} hint={hint}>
      {(ids) => <textarea {...ids} value={value} onChange={(e) => onChange(e.target.value)} {...textarea} />}
    </FieldFrame>
  );
}
