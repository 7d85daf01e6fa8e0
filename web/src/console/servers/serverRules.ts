/**
 * Database-server rules the console checks before asking the server, with the server's own
 * messages: registration fields (provisioner/src/server_admin.rs `RegisterServer::validate`),
 * a client certificate and its key (control-plane/src/routes/servers.rs `client_identity`,
 * dbtls `ClientIdentity::new`) and whether a server takes a new tenant (shared/catalog/src/servers.rs `admissible`). The
 * control plane stays the authority; its `VALIDATION_FAILED` names the field it refused.
 */
import { ApiError } from '../../api/errors';
import type { Placement, RegisterServerBody, ServerKind, ServerView, TlsMode } from '../types';

/** The register form's values, as typed; keys are the API's field names. */
export interface ServerDraft {
  name: string;
  host: string;
  port: string;
  adminUser: string;
  adminPassword: string;
  adminDatabase: string;
  kind: ServerKind;
  placement: Placement;
  /** Empty: the server's default (5000, or 1 for a tenant-hosted server). */
  capacity: string;
  tlsMode: TlsMode;
  /** PEM CA bundle for `verify-full`; empty: the control plane host's trusted roots. */
  caCertificate: string;
  /** PEM chain to present to a server that asks for one; with `clientKey`, TLS modes only. */
  clientCertificate: string;
  /** Write-only: dropped with the rest of the draft once the server is registered. */
  clientKey: string;
}

export type ServerErrors = Partial<Record<keyof ServerDraft, string>>;

export function emptyServerDraft(): ServerDraft {
  return {
    name: '',
    host: '',
    port: '5432',
    adminUser: '',
    adminPassword: '',
    adminDatabase: 'postgres',
    kind: 'platform',
    placement: 'shared',
    capacity: '',
    tlsMode: 'disable',
    caCertificate: '',
    clientCertificate: '',
    clientKey: '',
  };
}

export const SERVER_NAME_RULE = '1–63 characters: a-z, 0-9, `-`, `_`, starting with a letter or digit';

export function validateServerName(name: string): string | null {
  return /^[a-z0-9][a-z0-9_-]{0,62}$/.test(name) ? null : SERVER_NAME_RULE;
}

function bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

function wholeNumber(s: string): number | null {
  return /^\d+$/.test(s.trim()) ? Number(s.trim()) : null;
}

export function validateServerDraft(d: ServerDraft): ServerErrors {
  const errors: ServerErrors = {};
  const nameError = validateServerName(d.name);
  if (nameError) errors.name = nameError;
  const host = d.host.trim();
  if (!host || bytes(host) > 253 || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) errors.host = 'a host name or IP address';
  const port = wholeNumber(d.port);
  if (port === null || port < 1 || port > 65535) errors.port = '1–65535';
  for (const field of ['adminUser', 'adminDatabase'] as const) {
    const value = d[field];
    if (!value || bytes(value) > 63 || value.includes('\0')) errors[field] = '1–63 characters';
  }
  if (d.capacity.trim()) {
    const capacity = wholeNumber(d.capacity);
    if (capacity === null || capacity < 1 || capacity > 100_000) errors.capacity = '1–100000 tenant databases';
  }
  if (d.kind === 'tenant_hosted' && d.placement === 'shared') {
    errors.placement = 'a tenant-hosted server is dedicated to its tenant';
  }
  const caError = sentCaCertificate(d) === null ? null : validateCaCertificate(d.caCertificate);
  if (caError) errors.caCertificate = caError;
  if (presentsClientCertificate(d.tlsMode)) Object.assign(errors, validateClientCertificate(d));
  return errors;
}

export function isServerDraftValid(errors: ServerErrors): boolean {
  return Object.keys(errors).length === 0;
}

/** The server's own limit on a CA bundle (`pem.len() > 64 * 1024`, in bytes). */
export const MAX_CA_BYTES = 64 * 1024;

/** A CA bundle's shape; the server parses it and names what it refused. */
export function validateCaCertificate(pem: string): string | null {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return 'a PEM CA bundle (-----BEGIN CERTIFICATE-----…)';
  if (bytes(pem) > MAX_CA_BYTES) return 'at most 64 KiB of PEM';
  return null;
}

/** The CA bundle the body carries: only with `verify-full`, and not when left empty. */
function sentCaCertificate(d: ServerDraft): string | null {
  return d.tlsMode === 'verify-full' && d.caCertificate.trim() ? d.caCertificate : null;
}

/** A client certificate and its key as typed (the register form's, or the edit form's new pair). */
export interface ClientCertificateDraft {
  clientCertificate: string;
  clientKey: string;
}

export type ClientCertificateErrors = Partial<Record<keyof ClientCertificateDraft, string>>;

/** Without TLS there is no handshake to present a certificate in, so the server refuses one. */
export function presentsClientCertificate(mode: TlsMode): boolean {
  return mode !== 'disable';
}

/** dbtls `MAX_IDENTITY_PEM`: the most PEM the chain, or the key, may take (in bytes). */
export const MAX_CLIENT_PEM_BYTES = 64 * 1024;

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----/;
/** PKCS#8, PKCS#1 (`RSA`) or SEC1 (`EC`): what the server reads. */
const KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function pemShape(pem: string, begins: RegExp, shape: string): string | null {
  if (!begins.test(pem)) return shape;
  return bytes(pem) > MAX_CLIENT_PEM_BYTES ? 'at most 64 KiB of PEM' : null;
}

/**
 * Both or neither (blank counts as neither), each PEM within 64 KiB; the missing part is the
 * field in error, as the server names it. Whether the key belongs to the certificate only the
 * server can tell (it names `clientKey`).
 */
export function validateClientCertificate(c: ClientCertificateDraft): ClientCertificateErrors {
  const errors: ClientCertificateErrors = {};
  const cert = c.clientCertificate.trim() ? c.clientCertificate : '';
  const key = c.clientKey.trim() ? c.clientKey : '';
  if (!cert && !key) return errors;
  const certError = cert
    ? pemShape(cert, CERTIFICATE_PEM, 'a PEM certificate chain (-----BEGIN CERTIFICATE-----…)')
    : 'a key needs its client certificate';
  const keyError = key
    ? pemShape(key, KEY_PEM, 'a PEM private key (-----BEGIN PRIVATE KEY-----…)')
    : 'a client certificate needs its key';
  if (certError) errors.clientCertificate = certError;
  if (keyError) errors.clientKey = keyError;
  return errors;
}

/** What a body says about a new pair: each part that was typed, nothing when neither was. */
export function clientCertificateBody(c: ClientCertificateDraft): Partial<ClientCertificateDraft> {
  return {
    ...(c.clientCertificate.trim() ? { clientCertificate: c.clientCertificate } : {}),
    ...(c.clientKey.trim() ? { clientKey: c.clientKey } : {}),
  };
}

/**
 * `POST /v1/servers` body; an empty password or capacity is left out (no password / the
 * default), the CA bundle is sent only with `verify-full` and a client certificate only with
 * a TLS mode.
 */
export function registerBody(d: ServerDraft): RegisterServerBody {
  const ca = sentCaCertificate(d);
  return {
    name: d.name,
    host: d.host.trim(),
    port: Number(d.port.trim()),
    adminUser: d.adminUser,
    ...(d.adminPassword ? { adminPassword: d.adminPassword } : {}),
    adminDatabase: d.adminDatabase,
    kind: d.kind,
    placement: d.placement,
    ...(d.capacity.trim() ? { capacity: Number(d.capacity.trim()) } : {}),
    tlsMode: d.tlsMode,
    ...(ca === null ? {} : { caCertificate: ca }),
    ...(presentsClientCertificate(d.tlsMode) ? clientCertificateBody(d) : {}),
  };
}

/** Why the live check refused a server (`422` with `details.check`), or null for other errors. */
export function checkFailure(error: unknown): string | null {
  const check = error instanceof ApiError ? error.details?.check : undefined;
  return typeof check === 'string' ? check : null;
}

/** Why a server cannot take a new tenant now, or null when it can (the catalog checks again). */
export function placementBlocker(s: ServerView): string | null {
  if (s.state !== 'active') return `${s.state} (takes no new tenants)`;
  if (s.placement === 'dedicated' && s.tenants > 0) return 'dedicated, and its tenant is placed';
  if (s.tenants >= s.capacity) return `full: ${s.tenants} of ${s.capacity}`;
  return null;
}

/** The TLS modes as the register and edit forms offer them. */
export const TLS_OPTIONS: readonly { value: TlsMode; label: string }[] = [
  { value: 'disable', label: 'No TLS (disable)' },
  { value: 'require', label: 'Encrypted, certificate not checked (require)' },
  { value: 'verify-full', label: 'Encrypted and verified (verify-full)' },
];

export function kindLabel(kind: string): string {
  return kind === 'tenant_hosted' ? 'tenant-hosted' : kind;
}

/** How the control plane connects: `verify-full` says what it trusts (a registered CA or the host's roots). */
export function tlsLabel(s: Pick<ServerView, 'tlsMode' | 'tlsCaRegistered'>): string {
  if (s.tlsMode !== 'verify-full') return s.tlsMode;
  return s.tlsCaRegistered ? 'verify-full (registered CA)' : 'verify-full (host roots)';
}
