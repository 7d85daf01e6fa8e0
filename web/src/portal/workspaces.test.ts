import { describe, expect, it } from 'vitest';
import { listWorkspaces } from './workspaces';
import { SESSION_LIFETIME_MS } from '../api/tenant';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function session(patch: Record<string, unknown> = {}) {
  return JSON.stringify({ accessToken: 'a', refreshToken: 'r', accessExpiresAt: NOW + 60_000, signedInAt: NOW - 1000, ...patch });
}

describe('workspace list', () => {
  it('lists this tab’s per-tenant sessions by name, marking the current one', () => {
    sessionStorage.setItem('tenantry.portal.session.globex', session({ tenantName: 'Globex' }));
    sessionStorage.setItem('tenantry.portal.session.acme', session({ tenantName: 'Acme Ltd' }));
    sessionStorage.setItem('tenantry.portal.session.initech', session());
    expect(listWorkspaces(sessionStorage, 'globex', NOW)).toEqual([
      { slug: 'acme', name: 'Acme Ltd', href: '/t/acme/', current: false },
      { slug: 'globex', name: 'Globex', href: '/t/globex/', current: true },
      { slug: 'initech', name: 'initech', href: '/t/initech/', current: false },
    ]);
  });

  it('leaves out expired, invalid and unrelated entries', () => {
    sessionStorage.setItem('tenantry.portal.session.acme', session({ tenantName: 'Acme Ltd' }));
    sessionStorage.setItem('tenantry.portal.session.old', session({ signedInAt: NOW - SESSION_LIFETIME_MS }));
    sessionStorage.setItem('tenantry.portal.session.broken', '{not json');
    sessionStorage.setItem('tenantry.portal.session.partial', JSON.stringify({ accessToken: 'a' }));
    sessionStorage.setItem('tenantry.portal.session.Upper', session());
    sessionStorage.setItem('tenantry.portal.session', session());
    sessionStorage.setItem('tenantry.console.session', '{}');
    expect(listWorkspaces(sessionStorage, 'acme', NOW).map((w) => w.slug)).toEqual(['acme']);
  });

  it('is empty without storage', () => {
    expect(listWorkspaces(null, 'acme', NOW)).toEqual([]);
  });
});
