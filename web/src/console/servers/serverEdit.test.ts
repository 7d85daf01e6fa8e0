import { describe, expect, it } from 'vitest';
import { caChange, clientCertificateChange, editBody, editDraftOf, validateServerEdit } from './serverEdit';
import { CLIENT_CERT, CLIENT_KEY, server } from '../../test/servers';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('the edit form’s connection rules (provisioner `ServerAccessChange`)', () => {
  const pinned = server('a', { tlsMode: 'verify-full', tlsCaRegistered: true });
  const roots = server('a', { tlsMode: 'verify-full' });
  const plain = server('a', { tlsMode: 'require' });

  it('starts from the server as it is, with nothing to send', () => {
    for (const s of [pinned, roots, plain, server('a')]) {
      expect(editDraftOf(s).tlsMode).toBe(s.tlsMode);
      expect(editBody(editDraftOf(s), s)).toEqual({});
    }
  });

  it('carries a CA bundle only with verify-full, null only to remove a registered one', () => {
    expect(caChange({ ...editDraftOf(plain), caCertificate: PEM }, plain)).toBeUndefined();
    expect(caChange({ ...editDraftOf(plain), tlsMode: 'verify-full', caCertificate: PEM }, plain)).toBe(PEM);
    expect(caChange({ ...editDraftOf(pinned), caCertificate: ' \n' }, pinned)).toBeUndefined();
    expect(caChange({ ...editDraftOf(pinned), removeCa: true, caCertificate: PEM }, pinned)).toBeNull();
    expect(caChange({ ...editDraftOf(roots), removeCa: true }, roots)).toBeUndefined();
    expect(caChange({ ...editDraftOf(pinned), tlsMode: 'require', removeCa: true }, pinned)).toBeUndefined();
  });

  it('checks a CA bundle that would be sent, and only that one', () => {
    expect(validateServerEdit({ ...editDraftOf(pinned), caCertificate: 'junk' }, pinned)).toEqual({
      caCertificate: 'a PEM CA bundle (-----BEGIN CERTIFICATE-----…)',
    });
    expect(validateServerEdit({ ...editDraftOf(pinned), caCertificate: PEM + 'A'.repeat(64 * 1024) }, pinned)).toEqual({
      caCertificate: 'at most 64 KiB of PEM',
    });
    expect(validateServerEdit({ ...editDraftOf(pinned), caCertificate: 'junk', removeCa: true }, pinned)).toEqual({});
    expect(validateServerEdit({ ...editDraftOf(plain), caCertificate: 'junk' }, plain)).toEqual({});
  });

  it('sends a new admin password as typed, and none when left empty', () => {
    expect(editBody({ ...editDraftOf(plain), adminPassword: ' s3cret ' }, plain)).toEqual({ adminPassword: ' s3cret ' });
    expect(editBody(editDraftOf(plain), plain)).not.toHaveProperty('adminPassword');
  });
});

describe('the edit form’s client certificate (`ServerAccessChange::client_identity`)', () => {
  const presenting = server('a', { tlsMode: 'verify-full', tlsClientCertificate: true, tlsClientCertificateExpiresAt: '2027-03-01T00:00:00Z' });
  const none = server('a', { tlsMode: 'require' });
  const pair = { clientCertificate: CLIENT_CERT, clientKey: CLIENT_KEY };

  it('keeps the registered one by saying nothing', () => {
    expect(clientCertificateChange(editDraftOf(presenting), presenting)).toBeUndefined();
    expect(editBody(editDraftOf(presenting), presenting)).toEqual({});
    expect(editBody({ ...editDraftOf(presenting), tlsMode: 'require' }, presenting)).toEqual({ tlsMode: 'require' });
  });

  it('replaces it, or adds one, with the certificate and its key', () => {
    expect(editBody({ ...editDraftOf(presenting), ...pair }, presenting)).toEqual(pair);
    expect(editBody({ ...editDraftOf(none), ...pair }, none)).toEqual(pair);
  });

  it('stops presenting it with null, asked for or by leaving TLS; never null when there is none', () => {
    expect(editBody({ ...editDraftOf(presenting), ...pair, removeClientCertificate: true }, presenting)).toEqual({
      clientCertificate: null,
    });
    expect(editBody({ ...editDraftOf(presenting), tlsMode: 'disable' }, presenting)).toEqual({
      tlsMode: 'disable',
      clientCertificate: null,
    });
    expect(editBody({ ...editDraftOf(none), tlsMode: 'disable', ...pair }, none)).toEqual({ tlsMode: 'disable' });
  });

  it('checks a new pair that would be sent, and only that one', () => {
    expect(validateServerEdit({ ...editDraftOf(none), clientCertificate: CLIENT_CERT }, none)).toEqual({
      clientKey: 'a client certificate needs its key',
    });
    expect(validateServerEdit({ ...editDraftOf(presenting), clientKey: 'junk', removeClientCertificate: true }, presenting)).toEqual({});
    expect(validateServerEdit({ ...editDraftOf(none), tlsMode: 'disable', clientKey: 'junk' }, none)).toEqual({});
  });
});
