import { describe, expect, it } from 'vitest';
import { detectBase, pathRoutedUrl } from './base';
import { tenantSessionKey } from '../api/tenant';

describe('portal base', () => {
  it('finds the tenant of a path-routed URL', () => {
    expect(detectBase('/t/acme/')).toEqual({ slug: 'acme', prefix: '/t/acme' });
    expect(detectBase('/t/acme')).toEqual({ slug: 'acme', prefix: '/t/acme' });
    expect(detectBase('/t/acme-2/users/42')).toEqual({ slug: 'acme-2', prefix: '/t/acme-2' });
    expect(detectBase('/t/9lives/login')).toEqual({ slug: '9lives', prefix: '/t/9lives' });
  });

  it('is the root on a tenant’s own host and for anything else', () => {
    for (const path of ['/', '/users', '/t/', '/t', '/t/Acme/', '/t/-acme/', '/t/acme_x/', '/tenants/acme', '/x/t/acme/']) {
      expect(detectBase(path)).toEqual({ slug: null, prefix: '' });
    }
  });

  it('derives the session key: one per tenant under path routing, the plain one otherwise', () => {
    expect(tenantSessionKey(null)).toBe('tenantry.portal.session');
    expect(tenantSessionKey('acme')).toBe('tenantry.portal.session.acme');
    expect(tenantSessionKey(detectBase('/t/globex/files').slug)).toBe('tenantry.portal.session.globex');
  });

  it('builds path-routed URLs', () => {
    expect(pathRoutedUrl('acme')).toBe('/t/acme/');
    expect(pathRoutedUrl('acme', '/login')).toBe('/t/acme/login');
  });
});
