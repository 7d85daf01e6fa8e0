/**
 * One connector setting rendered from its `FieldSpec` (the server publishes each connector's
 * settings and secrets as schemas): yes/no, a choice, a port, or text with its limits.
 */
import type { FieldSpec } from '../types';
import { TextField } from '../../shared/forms/TextField';
import { CheckboxField } from '../../shared/forms/CheckboxField';
import { SelectField } from '../../shared/forms/SelectField';

export interface SchemaFieldProps {
  spec: FieldSpec;
  value: string | boolean;
  onChange: (value: string | boolean) => void;
  error?: string | null;
}

export function humaniseName(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

export function SchemaField({ spec, value, onChange, error }: SchemaFieldProps) {
  const label = humaniseName(spec.name);
  const kind = spec.kind;
  if (kind.type === 'bool') {
    return <CheckboxField label={label} checked={value === true} onChange={onChange} hint={spec.description} />;
  }
  if (kind.type === 'oneOf') {
    const options = [...(spec.required ? [] : [{ value: '', label: '—' }]), ...kind.values.map((v) => ({ value: v, label: v }))];
    return <SelectField label={label} value={String(value)} options={options} onChange={onChange} hint={spec.description} error={error} />;
  }
  const common = { label, value: String(value), onChange, error, hint: spec.description, required: spec.required, autoComplete: 'off' };
  switch (kind.type) {
    case 'port':
      return <TextField {...common} inputMode="numeric" pattern="[0-9]*" />;
    case 'email':
      return <TextField {...common} type="email" />;
    case 'httpsUrl':
      return <TextField {...common} type="url" placeholder="https://" />;
    case 'text':
      return <TextField {...common} maxLength={kind.max} />;
    case 'prefixed':
      return <TextField {...common} maxLength={kind.max} placeholder={`${kind.prefix}…`} />;
    default:
      return <TextField {...common} />;
  }
}
