/**
 * The edit form's "Connection" section: how the platform reaches the server. Its TLS mode;
 * with `verify-full`, the CA bundle the certificate is checked against (paste a new one to
 * replace the registered one, or remove it to trust the control plane host's roots); with a
 * TLS mode, the client certificate it presents (keep it, paste a new one with its key, or stop
 * presenting it); and the admin user's new password (write-only, never shown back). A live
 * check that refused the new settings is shown here: nothing was changed.
 */
import type { ServerView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { CheckboxField } from '../../shared/forms/CheckboxField';
import { SelectField } from '../../shared/forms/SelectField';
import { TextField } from '../../shared/forms/TextField';
import { formatDate } from '../../shared/format';
import { CaCertificateField } from './CaCertificateField';
import { ClientCertificateFields } from './ClientCertificateFields';
import { presentsClientCertificate, TLS_OPTIONS, tlsLabel } from './serverRules';
import { caRegistered, type ServerEditDraft } from './serverEdit';

export type ConnectionField = 'tlsMode' | 'caCertificate' | 'clientCertificate' | 'clientKey' | 'adminPassword';

export interface ConnectionFieldsProps {
  server: ServerView;
  draft: ServerEditDraft;
  onChange: (patch: Partial<ServerEditDraft>) => void;
  /** The error to show at a field (the form's own check, or the server's `422`). */
  error: (field: ConnectionField) => string | null | undefined;
  /** Why the live check refused the new settings (`details.check`), with the error it came in. */
  check: string | null;
  checkError: unknown;
}

function modeHint(server: ServerView, draft: ServerEditDraft): string {
  const notes = [`Now ${tlsLabel(server)}.`];
  if (caRegistered(server) && draft.tlsMode !== 'verify-full') notes.push('Another mode drops the registered CA bundle.');
  // The server refuses to keep a client certificate without TLS, so the form sends `null` for it.
  if (server.tlsClientCertificate && !presentsClientCertificate(draft.tlsMode)) {
    notes.push('No TLS also stops presenting the client certificate.');
  }
  if (notes.length === 1) notes.push('Verify-full also checks that the certificate names the host.');
  return notes.join(' ');
}

function clientCertificateHint(server: ServerView): string | undefined {
  if (!server.tlsClientCertificate) return undefined;
  const until = server.tlsClientCertificateExpiresAt ? ` (valid until ${formatDate(server.tlsClientCertificateExpiresAt)})` : '';
  return `A client certificate is registered${until}; paste a new one with its key to replace it, or stop presenting it.`;
}

function caHint(server: ServerView): string {
  if (caRegistered(server)) return 'A CA bundle is registered; paste a new one to replace it, or remove it.';
  if (server.tlsMode === 'verify-full') {
    return "No CA bundle is registered: the control plane host's trusted roots are used. Paste one to trust it instead.";
  }
  return "Optional: the CA that issued the server's certificate. Empty: the control plane's trusted roots.";
}

export function ConnectionFields({ server, draft, onChange, error, check, checkError }: ConnectionFieldsProps) {
  return (
    <fieldset>
      <legend>Connection</legend>
      {check ? (
        <ErrorAlert error={checkError} title="The live check failed; nothing was changed" message={check} />
      ) : null}
      <SelectField
        label="Connection security"
        value={draft.tlsMode}
        options={TLS_OPTIONS}
        onChange={(tlsMode) => onChange({ tlsMode })}
        hint={modeHint(server, draft)}
        error={error('tlsMode')}
      />
      {draft.tlsMode === 'verify-full' ? (
        <>
          <CaCertificateField
            value={draft.caCertificate}
            onChange={(caCertificate) => onChange({ caCertificate })}
            disabled={draft.removeCa}
            hint={caHint(server)}
            error={draft.removeCa ? null : error('caCertificate')}
          />
          {caRegistered(server) ? (
            <CheckboxField
              label="Trust the host's roots instead of the registered bundle"
              checked={draft.removeCa}
              onChange={(removeCa) => onChange({ removeCa })}
              hint="Removes the registered CA bundle: the certificate is then checked against the control plane host's trusted roots."
            />
          ) : null}
        </>
      ) : null}
      {presentsClientCertificate(draft.tlsMode) ? (
        <ClientCertificateFields
          value={draft}
          onChange={onChange}
          hint={clientCertificateHint(server)}
          error={error}
          disabled={draft.removeClientCertificate}
        >
          {server.tlsClientCertificate ? (
            <CheckboxField
              label="Stop presenting the client certificate"
              checked={draft.removeClientCertificate}
              onChange={(removeClientCertificate) => onChange({ removeClientCertificate })}
              hint="The server must then admit the platform without one; the live check tries that first."
            />
          ) : null}
        </ClientCertificateFields>
      ) : null}
      <TextField
        label="New admin password"
        type="password"
        autoComplete="new-password"
        value={draft.adminPassword}
        onChange={(adminPassword) => onChange({ adminPassword })}
        hint="Set it on the server first; the platform checks it before storing it. Empty: keep the current one."
        error={error('adminPassword')}
      />
    </fieldset>
  );
}
