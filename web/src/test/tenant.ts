/** A tenant as `GET /v1/tenants/:tenant` shows it, and the console's tenant page with the routes it loads. */
import { createElement } from 'react';
import { TenantDetailPage } from '../console/tenant/TenantDetailPage';
import type { TenantView } from '../console/types';
import { mockApi } from './fetchMock';
import { renderConsole } from './render';

export function tenant(patch: Partial<TenantView> = {}): TenantView {
  return {
    id: '0192f000-0000-7000-8000-0000000000a1',
    slug: 'acme',
    displayName: 'Acme Ltd',
    plan: 'standard',
    status: 'active',
    url: 'http://acme.localhost:8081',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...patch,
  };
}

export const TENANT = tenant();

/** What the tenant page calls on load, answering with `shown`; `extra` adds routes or replaces one by its key. */
export function mockTenantPage(shown: TenantView = TENANT, extra: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    'GET /v1/tenants/:tenant': { body: shown },
    'GET /v1/tenants/:tenant/jobs': { body: { items: [] } },
    'GET /v1/tenants/:tenant/branding': { body: {} },
    'GET /v1/audit-events': { body: { items: [] } },
    'GET /v1/servers': { body: { items: [] } },
    ...extra,
  });
}

/** The tenant page at `/tenants/<slug>`. */
export function renderTenantPage(slug = TENANT.slug) {
  return renderConsole(createElement(TenantDetailPage), { path: `/tenants/${slug}`, route: '/tenants/:tenant' });
}
