import { describe, expect, it } from 'vitest';
import { caChange, editBody, editDraftOf, validateServerEdit } from './serverEdit';
import { server } from '../../test/servers';

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
