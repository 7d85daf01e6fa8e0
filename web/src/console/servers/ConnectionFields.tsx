/**
 * The edit form's "Connection" section: how the platform reaches the server. Its TLS mode;
 * with `verify-full`, the CA bundle the certificate is checked against (paste a new one to
 * replace the registered one, or remove it to trust the control plane host's roots); and the
 * admin user's new password (write-only, never shown back). A live check that refused the
 * new settings is shown here: nothing was changed.
 */
import type { ServerView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { CheckboxField } from '../../shared/forms/CheckboxField';
import { SelectField } from '../../shared/forms/SelectField';
import { TextField } from '../../shared/forms/TextField';
import { CaCertificateField } from './CaCertificateField';
import { TLS_OPTIONS, tlsLabel } from './serverRules';
import { caRegistered, type ServerEditDraft } from './serverEdit';

export type ConnectionField = 'tlsMode' | 'caCertificate' | 'adminPassword';

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
  const now = `Now ${tlsLabel(server)}.`;
  if (caRegistered(server) && draft.tlsMode !== 'verify-full') return `${now} Another mode drops the registered CA bundle.`;
  return `${now} Verify-full also checks that the certificate names the host.`;
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
