/**
 * The edit form's rules for a registered server (`PATCH /v1/servers/{name}`), with the
 * server's messages (provisioner `change_server`, catalog `update_server`): capacity
 * 1–100000 (below the current tenant count is allowed: the server then takes no new
 * tenants); a tenant-hosted server stays dedicated; a dedicated server holds at most one tenant.
 *
 * How the platform reaches the server (provisioner/src/server_access.rs): the TLS mode; a CA
 * bundle only with `verify-full` (the register form's PEM rule), where `null` removes the
 * registered one and leaving it out keeps it (another mode drops it); a client certificate
 * (`ServerAccessChange::client_identity`): a new one with its key replaces it, `null` stops
 * presenting it, leaving it out keeps it — except with `disable`, where the server refuses to
 * keep one rather than dropping it; a new admin password, write-only. A change of these is
 * live-checked first; when the check fails nothing changes.
 */
import { TLS_MODES, type Placement, type ServerState, type ServerView, type TlsMode, type UpdateServerBody } from '../types';
import {
  clientCertificateBody,
  presentsClientCertificate,
  validateCaCertificate,
  validateClientCertificate,
  type ClientCertificateDraft,
} from './serverRules';

export interface ServerEditDraft {
  capacity: string;
  placement: Placement;
  state: ServerState;
  tlsMode: TlsMode;
  /** A new PEM CA bundle for `verify-full`; empty keeps the registered one (or none). */
  caCertificate: string;
  /** Trust the host's roots instead of the registered bundle (`caCertificate: null`). */
  removeCa: boolean;
  /** A new client certificate chain; empty (with its key) keeps the registered one (or none). */
  clientCertificate: string;
  /** The new certificate's key: write-only, dropped once saved. */
  clientKey: string;
  /** Stop presenting the registered client certificate (`clientCertificate: null`). */
  removeClientCertificate: boolean;
  /** The admin user's new password; empty keeps the stored one. Dropped once saved. */
  adminPassword: string;
}

export type ServerEditErrors = Partial<Record<keyof ServerEditDraft, string>>;

export function editDraftOf(s: ServerView): ServerEditDraft {
  return {
    capacity: String(s.capacity),
    placement: s.placement === 'dedicated' ? 'dedicated' : 'shared',
    state: s.state === 'draining' ? 'draining' : 'active',
    tlsMode: (TLS_MODES as readonly string[]).includes(s.tlsMode) ? (s.tlsMode as TlsMode) : 'disable',
    caCertificate: '',
    removeCa: false,
    clientCertificate: '',
    clientKey: '',
    removeClientCertificate: false,
    adminPassword: '',
  };
}

/** Whether `verify-full` trusts a bundle registered for the server now (not the host's roots). */
export function caRegistered(s: ServerView): boolean {
  return s.tlsMode === 'verify-full' && s.tlsCaRegistered;
}

/**
 * What the body says about the CA bundle: a new PEM, `null` to remove the registered one, or
 * `undefined` to leave it out (kept while the mode stays `verify-full`, dropped otherwise).
 * Only `verify-full` carries one.
 */
export function caChange(d: ServerEditDraft, s: ServerView): string | null | undefined {
  if (d.tlsMode !== 'verify-full') return undefined;
  if (d.removeCa && caRegistered(s)) return null;
  if (!d.removeCa && d.caCertificate.trim()) return d.caCertificate;
  return undefined;
}

/**
 * What the body says about the client certificate: a new pair, `null` to stop presenting the
 * registered one (asked for, or implied by leaving TLS), or `undefined` to keep it as it is.
 */
export function clientCertificateChange(
  d: ServerEditDraft,
  s: ServerView,
): { clientCertificate: null } | Partial<ClientCertificateDraft> | undefined {
  if (!presentsClientCertificate(d.tlsMode)) return s.tlsClientCertificate ? { clientCertificate: null } : undefined;
  if (d.removeClientCertificate && s.tlsClientCertificate) return { clientCertificate: null };
  const pair = clientCertificateBody(d);
  return Object.keys(pair).length > 0 ? pair : undefined;
}

export function validateServerEdit(d: ServerEditDraft, s: ServerView): ServerEditErrors {
  const errors: ServerEditErrors = {};
  const capacity = d.capacity.trim();
  if (!/^\d+$/.test(capacity) || Number(capacity) < 1 || Number(capacity) > 100_000) {
    errors.capacity = 'a whole number, 1–100000 tenant databases';
  }
  if (d.placement === 'shared' && s.kind === 'tenant_hosted') {
    errors.placement = 'a tenant-hosted server is dedicated to its tenant';
  } else if (d.placement === 'dedicated' && s.placement !== 'dedicated' && s.tenants > 1) {
    errors.placement = `a dedicated server holds at most one tenant; this one holds ${s.tenants}`;
  }
  const ca = caChange(d, s);
  const caError = typeof ca === 'string' ? validateCaCertificate(ca) : null;
  if (caError) errors.caCertificate = caError;
  const client = clientCertificateChange(d, s);
  if (client && client.clientCertificate !== null) Object.assign(errors, validateClientCertificate(d));
  return errors;
}

/** Only what changed; empty when nothing did. */
export function editBody(d: ServerEditDraft, s: ServerView): UpdateServerBody {
  const body: UpdateServerBody = {};
  const capacity = Number(d.capacity.trim());
  if (capacity !== s.capacity) body.capacity = capacity;
  if (d.placement !== s.placement) body.placement = d.placement;
  if (d.state !== s.state) body.state = d.state;
  if (d.tlsMode !== s.tlsMode) body.tlsMode = d.tlsMode;
  const ca = caChange(d, s);
  if (ca !== undefined) body.caCertificate = ca;
  Object.assign(body, clientCertificateChange(d, s));
  if (d.adminPassword) body.adminPassword = d.adminPassword;
  return body;
}
