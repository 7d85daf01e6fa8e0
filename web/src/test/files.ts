/** Fixtures for the portal's files tests: users by role, a storage status, file rows. */
import { ADMIN } from './render';
import type { MeView } from '../portal/types';

export const STAFF: MeView = { ...ADMIN, permissions: [...ADMIN.permissions, 'files.read', 'files.write'] };
export const VIEWER: MeView = { ...ADMIN, role: 'viewer', permissions: ['files.read'] };

export const STATUS = {
  primary: 'platform',
  fallback: null,
  encrypted: true,
  degraded: false,
  queueLength: 0,
  usedBytes: 1536,
  maxUploadBytes: 25 * 1024 * 1024,
  quotaBytes: 1024 * 1024 * 1024,
};

export function file(key: string, size = 12, contentType = 'text/plain') {
  return {
    key,
    size,
    contentType,
    sha256: 'ab'.repeat(32),
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-02T10:00:00Z',
  };
}
