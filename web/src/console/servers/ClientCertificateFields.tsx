/**
 * The client certificate the platform presents to a server that asks for one (`clientcert=`
 * in its pg_hba.conf), as the register and edit forms ask for it: the PEM chain and its
 * private key, both or neither (the rules: `validateClientCertificate` in `serverRules`). The
 * key goes to the platform's secret store and never comes back, so the form holds the only
 * copy the console ever sees; nothing is prefilled or offered for autofill.
 */
import { useId, type ReactNode } from 'react';
import { TextAreaField } from '../../shared/forms/TextAreaField';
import type { ClientCertificateDraft } from './serverRules';

const WHEN_NEEDED = (
  <>
    Only for a server that asks for one (<code>clientcert=</code> in its <code>pg_hba.conf</code>). The key is kept in
    the platform's secret store and never shown again.
  </>
);

export interface ClientCertificateFieldsProps {
  value: ClientCertificateDraft;
  onChange: (patch: Partial<ClientCertificateDraft>) => void;
  /** What is registered now; by default, when a server needs one at all. */
  hint?: ReactNode;
  error: (field: keyof ClientCertificateDraft) => string | null | undefined;
  disabled?: boolean;
  /** The edit form's "stop presenting it" choice. */
  children?: ReactNode;
}

export function ClientCertificateFields({
  value,
  onChange,
  hint = WHEN_NEEDED,
  error,
  disabled,
  children,
}: ClientCertificateFieldsProps) {
  const hintId = useId();
  return (
    <fieldset aria-describedby={hintId}>
      <legend>Client certificate</legend>
      <p className="hint" id={hintId}>
        {hint}
      </p>
      <TextAreaField
        label="Client certificate (PEM)"
        className="field-pem"
        rows={6}
        autoComplete="off"
        spellCheck={false}
        placeholder="-----BEGIN CERTIFICATE-----"
        value={value.clientCertificate}
        onChange={(clientCertificate) => onChange({ clientCertificate })}
        hint="The chain, leaf first."
        error={disabled ? null : error('clientCertificate')}
        disabled={disabled}
      />
      <TextAreaField
        label="Client private key (PEM)"
        className="field-pem"
        rows={6}
        autoComplete="off"
        spellCheck={false}
        placeholder="-----BEGIN PRIVATE KEY-----"
        value={value.clientKey}
        onChange={(clientKey) => onChange({ clientKey })}
        hint="Write-only: PKCS#8, RSA or EC; it must belong to the certificate."
        error={disabled ? null : error('clientKey')}
        disabled={disabled}
      />
      {children}
    </fieldset>
  );
}
