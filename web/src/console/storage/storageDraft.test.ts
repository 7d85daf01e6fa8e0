import { describe, expect, it } from 'vitest';
import {
  describeBackend,
  draftFromView,
  emptyBackend,
  emptyStorage,
  isStorageValid,
  storageBody,
  validateBackend,
  validateStorage,
  withoutSecrets,
} from './storageDraft';

describe('storage body', () => {
  it('sends the S3 fields in camelCase, as the server reads them, and the secret apart', () => {
    const draft = {
      ...emptyStorage(),
      primary: {
        ...emptyBackend('s3'),
        endpoint: ' https://minio.acme.test ',
        region: 'eu-west-1',
        bucket: 'acme-files',
        pathStyle: true,
        accessKeyId: 'AKIA1',
        serverSideEncryption: 'AES256' as const,
        secret: 's3cr3t',
      },
      encrypted: false,
    };
    expect(storageBody(draft)).toEqual({
      primary: {
        kind: 's3',
        endpoint: 'https://minio.acme.test',
        region: 'eu-west-1',
        bucket: 'acme-files',
        pathStyle: true,
        accessKeyId: 'AKIA1',
        serverSideEncryption: 'AES256',
      },
      fallback: null,
      encrypted: false,
      secrets: { primary: 's3cr3t' },
    });
  });

  it('leaves out empty secrets (the server keeps the stored one) and secrets of kinds that need none', () => {
    const draft = {
      ...emptyStorage(),
      primary: { ...emptyBackend('nas'), root: '/mnt/acme', secret: 'typed before switching kind' },
      fallbackOn: true,
      fallback: { ...emptyBackend('azure'), account: 'acme', container: 'files', auth: 'sas' as const },
    };
    expect(storageBody(draft)).toEqual({
      primary: { kind: 'nas', root: '/mnt/acme' },
      fallback: { kind: 'azure', endpoint: null, account: 'acme', container: 'files', auth: 'sas' },
      encrypted: true,
    });
  });

  it('starts an edit from the server’s view without any secret', () => {
    const draft = draftFromView({
      primary: { kind: 's3', region: 'r', bucket: 'bbb', accessKeyId: 'AKIA1', pathStyle: true },
      fallback: { kind: 'platform' },
      encrypted: false,
      health: 'ok',
    });
    expect(draft.primary).toMatchObject({ kind: 's3', bucket: 'bbb', pathStyle: true, secret: '' });
    expect(draft.fallbackOn).toBe(true);
    expect(draft.encryptedChosen).toBe(true);
    expect(withoutSecrets({ ...draft, primary: { ...draft.primary, secret: 'x' } }).primary.secret).toBe('');
  });
});

describe('storage checks (mirror shared/storage/src/spec.rs)', () => {
  it('NAS roots are absolute, without `..`', () => {
    expect(validateBackend({ ...emptyBackend('nas'), root: 'mnt/x' }, false)).toEqual({ root: 'root must be an absolute path' });
    expect(validateBackend({ ...emptyBackend('nas'), root: '/mnt/../etc' }, false)).toEqual({ root: 'root must not contain `..`' });
    expect(validateBackend({ ...emptyBackend('nas'), root: '/mnt/acme' }, false)).toEqual({});
  });

  it('S3 needs a bucket name, region, key id and a secret unless one is stored', () => {
    const s3 = { ...emptyBackend('s3'), endpoint: 'ftp://x', bucket: 'Bad_Bucket' };
    expect(validateBackend(s3, false)).toEqual({
      endpoint: 'endpoint `ftp://x` is not an http(s) URL',
      bucket: '`Bad_Bucket` is not a valid bucket name',
      region: 'must not be empty',
      accessKeyId: 'must not be empty',
      secret: 'must not be empty',
    });
    expect(validateBackend({ ...s3, endpoint: '', bucket: 'ok-bucket', region: 'r', accessKeyId: 'k' }, true)).toEqual({});
  });

  it('Azure needs an alphanumeric account and a valid container', () => {
    expect(validateBackend({ ...emptyBackend('azure'), account: 'my-acct', container: 'C', secret: 'k' }, false)).toEqual({
      account: 'account must be letters and digits',
      container: '`C` is not a valid container name',
    });
  });

  it('a fallback must differ from the primary', () => {
    const nas = { ...emptyBackend('nas'), root: '/mnt/a' };
    const errors = validateStorage({ ...emptyStorage(), primary: nas, fallbackOn: true, fallback: nas });
    expect(errors.fallbackGroup).toBe('must differ from the primary');
    expect(isStorageValid(errors)).toBe(false);
  });

  it('describes backends in one line, never with a secret', () => {
    expect(describeBackend({ kind: 'nas', root: '/mnt/a' })).toBe('NAS mount at /mnt/a');
    expect(describeBackend({ kind: 's3', region: 'eu-west-1', bucket: 'b', accessKeyId: 'AKIA1', endpoint: null })).toBe(
      'S3 bucket b in eu-west-1 (AWS), access key AKIA1',
    );
    expect(describeBackend({ kind: 'azure', account: 'acme', container: 'files', auth: 'sas' })).toBe(
      'Azure container files in account acme, SAS token',
    );
  });
});
