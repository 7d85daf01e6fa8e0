import { describe, expect, it } from 'vitest';
import {
  clientCertificateBody,
  emptyServerDraft,
  placementBlocker,
  registerBody,
  tlsLabel,
  validateCaCertificate,
  validateClientCertificate,
  validateServerDraft,
  validateServerName,
} from './serverRules';
import { CLIENT_CERT, CLIENT_KEY, server } from '../../test/servers';

describe('server names (provisioner/src/server_admin.rs)', () => {
  it('accepts 1–63 of a-z, 0-9, - and _, starting with a letter or digit', () => {
    for (const ok of ['a', 'main', 'eu-2', 'db_01', '9lives', 'x'.repeat(63)]) expect(validateServerName(ok), ok).toBeNull();
    for (const bad of ['', '-db', '_db', 'Main', 'eu 2', 'eu.2', 'x'.repeat(64)]) expect(validateServerName(bad), bad).not.toBeNull();
  });
});

describe('the register form’s rules', () => {
  const valid = { ...emptyServerDraft(), name: 'eu-2', host: '10.0.0.7', adminUser: 'postgres' };

  it('passes a complete draft', () => {
    expect(validateServerDraft(valid)).toEqual({});
    expect(validateServerDraft({ ...valid, host: '[::1]', capacity: '100000' })).toEqual({});
  });

  it('names each bad field as the server does', () => {
    expect(validateServerDraft({ ...valid, port: '0' })).toEqual({ port: '1–65535' });
    expect(validateServerDraft({ ...valid, port: 'x' })).toEqual({ port: '1–65535' });
    expect(validateServerDraft({ ...valid, adminDatabase: '' })).toEqual({ adminDatabase: '1–63 characters' });
    expect(validateServerDraft({ ...valid, capacity: '100001' })).toEqual({ capacity: '1–100000 tenant databases' });
    expect(validateServerDraft({ ...valid, kind: 'tenant_hosted', placement: 'shared' })).toEqual({
      placement: 'a tenant-hosted server is dedicated to its tenant',
    });
  });
});

describe('connection security (dbtls `TlsMode`)', () => {
  const valid = { ...emptyServerDraft(), name: 'eu-2', host: 'db.example.com', adminUser: 'postgres' };
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  it('takes a CA bundle that looks like PEM and fits in 64 KiB', () => {
    expect(validateCaCertificate(PEM)).toBeNull();
    expect(validateCaCertificate('not a certificate')).toBe('a PEM CA bundle (-----BEGIN CERTIFICATE-----…)');
    expect(validateCaCertificate(PEM + 'A'.repeat(65536 - PEM.length))).toBeNull();
    expect(validateCaCertificate(PEM + 'A'.repeat(65537 - PEM.length))).toBe('at most 64 KiB of PEM');
  });

  it('checks the CA bundle only with verify-full, where it may be left empty', () => {
    expect(validateServerDraft({ ...valid, tlsMode: 'verify-full' })).toEqual({});
    expect(validateServerDraft({ ...valid, tlsMode: 'verify-full', caCertificate: 'junk' })).toEqual({
      caCertificate: 'a PEM CA bundle (-----BEGIN CERTIFICATE-----…)',
    });
    expect(validateServerDraft({ ...valid, tlsMode: 'require', caCertificate: 'junk' })).toEqual({});
  });

  it('sends the mode, and the CA bundle only with verify-full', () => {
    expect(registerBody(valid)).toMatchObject({ tlsMode: 'disable' });
    expect(registerBody(valid)).not.toHaveProperty('caCertificate');
    expect(registerBody({ ...valid, tlsMode: 'require', caCertificate: PEM })).not.toHaveProperty('caCertificate');
    expect(registerBody({ ...valid, tlsMode: 'verify-full', caCertificate: '  \n' })).not.toHaveProperty('caCertificate');
    expect(registerBody({ ...valid, tlsMode: 'verify-full', caCertificate: PEM })).toMatchObject({
      tlsMode: 'verify-full',
      caCertificate: PEM,
    });
  });

  it('labels the mode, with what verify-full trusts', () => {
    expect(tlsLabel(server('a'))).toBe('disable');
    expect(tlsLabel(server('a', { tlsMode: 'require' }))).toBe('require');
    expect(tlsLabel(server('a', { tlsMode: 'verify-full', tlsCaRegistered: true }))).toBe('verify-full (registered CA)');
    expect(tlsLabel(server('a', { tlsMode: 'verify-full' }))).toBe('verify-full (host roots)');
  });
});

describe('client certificates (control plane `client_identity`, dbtls `ClientIdentity::new`)', () => {
  const valid = { ...emptyServerDraft(), name: 'eu-2', host: 'db.example.com', adminUser: 'postgres' };
  const pair = { clientCertificate: CLIENT_CERT, clientKey: CLIENT_KEY };

  it('takes both or neither, naming the missing part as the server does', () => {
    expect(validateClientCertificate(pair)).toEqual({});
    expect(validateClientCertificate({ clientCertificate: ' \n', clientKey: '' })).toEqual({});
    expect(validateClientCertificate({ clientCertificate: '', clientKey: CLIENT_KEY })).toEqual({
      clientCertificate: 'a key needs its client certificate',
    });
    expect(validateClientCertificate({ clientCertificate: CLIENT_CERT, clientKey: '  ' })).toEqual({
      clientKey: 'a client certificate needs its key',
    });
  });

  it('checks each is PEM of at most 64 KiB', () => {
    const rsa = '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n';
    const ec = '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n';
    for (const clientKey of [rsa, ec]) expect(validateClientCertificate({ ...pair, clientKey })).toEqual({});
    expect(validateClientCertificate({ clientCertificate: 'MIIB', clientKey: CLIENT_CERT })).toEqual({
      clientCertificate: 'a PEM certificate chain (-----BEGIN CERTIFICATE-----…)',
      clientKey: 'a PEM private key (-----BEGIN PRIVATE KEY-----…)',
    });
    const big = 'A'.repeat(64 * 1024);
    expect(validateClientCertificate({ clientCertificate: CLIENT_CERT + big, clientKey: CLIENT_KEY + big })).toEqual({
      clientCertificate: 'at most 64 KiB of PEM',
      clientKey: 'at most 64 KiB of PEM',
    });
  });

  it('checks and sends them with a TLS mode only', () => {
    expect(validateServerDraft({ ...valid, tlsMode: 'disable', clientKey: CLIENT_KEY })).toEqual({});
    expect(validateServerDraft({ ...valid, tlsMode: 'require', clientKey: CLIENT_KEY })).toEqual({
      clientCertificate: 'a key needs its client certificate',
    });
    expect(registerBody({ ...valid, ...pair })).not.toHaveProperty('clientCertificate');
    expect(registerBody({ ...valid, ...pair })).not.toHaveProperty('clientKey');
    expect(registerBody(valid)).not.toHaveProperty('clientKey');
    for (const tlsMode of ['require', 'verify-full'] as const) {
      expect(registerBody({ ...valid, tlsMode, ...pair })).toMatchObject(pair);
      expect(registerBody({ ...valid, tlsMode })).not.toHaveProperty('clientCertificate');
    }
  });

  it('puts in a body only the parts that were typed', () => {
    expect(clientCertificateBody(pair)).toEqual(pair);
    expect(clientCertificateBody({ clientCertificate: '\n', clientKey: '' })).toEqual({});
  });
});

describe('which servers take a new tenant (catalog `admissible`)', () => {
  it('refuses draining, dedicated-and-taken and full servers, with the reason', () => {
    expect(placementBlocker(server('a'))).toBeNull();
    expect(placementBlocker(server('a', { state: 'draining' }))).toBe('draining (takes no new tenants)');
    expect(placementBlocker(server('a', { placement: 'dedicated', tenants: 1, capacity: 1 }))).toBe('dedicated, and its tenant is placed');
    expect(placementBlocker(server('a', { placement: 'dedicated', tenants: 0, capacity: 1 }))).toBeNull();
    expect(placementBlocker(server('a', { tenants: 10, capacity: 10 }))).toBe('full: 10 of 10');
  });
});
