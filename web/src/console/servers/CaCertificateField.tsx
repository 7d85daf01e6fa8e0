/**
 * The PEM CA bundle a `verify-full` server's certificate is checked against, as the register
 * and edit forms ask for it (the rules: `validateCaCertificate` in `serverRules`).
 */
import type { ReactNode } from 'react';
import { TextAreaField } from '../../shared/forms/TextAreaField';

export interface CaCertificateFieldProps {
  value: string;
  onChange: (value: string) => void;
  hint: ReactNode;
  error?: string | null;
  disabled?: boolean;
}

export function CaCertificateField({ value, onChange, hint, error, disabled }: CaCertificateFieldProps) {
  return (
    <TextAreaField
      label="CA certificate (PEM)"
      className="field-pem"
      rows={6}
      autoComplete="off"
      spellCheck={false}
      placeholder="-----BEGIN CERTIFICATE-----"
      value={value}
      onChange={onChange}
      hint={hint}
      error={error}
      disabled={disabled}
    />
  );
}
