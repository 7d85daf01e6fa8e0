import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { TenantsPage } from './TenantsPage';
import { renderConsole } from '../../test/render';
import { mockApi } from '../../test/fetchMock';

const BASE = {
  plan: 'standard',
  status: 'active',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};
const ACME = {
  ...BASE,
  id: '0192f000-0000-7000-8000-0000000000a1',
  slug: 'acme',
  displayName: 'Acme Ltd',
  url: 'http://acme.localhost:8081',
  database: {
    serverId: 'srv-main',
    server: 'main',
    serverHealth: 'ok',
    name: 'tenant_acme',
    role: 'tenant_acme',
    schemaVersion: '0007',
    lastMigrationError: null,
  },
};
const GLOBEX = {
  ...BASE,
  id: '0192f000-0000-7000-8000-0000000000a2',
  slug: 'globex',
  displayName: 'Globex',
  url: 'http://globex.localhost:8081',
  database: {
    serverId: 'srv-eu-2',
    server: 'eu-2',
    serverHealth: 'failing',
    name: 'tenant_globex',
    role: 'tenant_globex',
    schemaVersion: '0006',
    lastMigrationError: 'relation "x" already exists',
  },
};

describe('tenants list', () => {
  it('shows each tenant’s database server, schema version and server health', async () => {
    mockApi({ 'GET /v1/tenants': { body: { items: [ACME, GLOBEX, { ...BASE, id: 'x', slug: 'new', displayName: 'New', url: 'http://new' }], nextCursor: null } } });
    renderConsole(<TenantsPage />);
    const acme = (await screen.findByRole('link', { name: 'Acme Ltd' })).closest('tr') as HTMLElement;
    expect(within(acme).getByText('main')).toBeInTheDocument();
    expect(within(acme).getByText('0007')).toBeInTheDocument();
    expect(within(acme).getByText('ok')).toBeInTheDocument();
    const globex = screen.getByRole('link', { name: 'Globex' }).closest('tr') as HTMLElement;
    expect(within(globex).getByText('failing')).toBeInTheDocument();
    expect(within(globex).getByText('migration failed')).toBeInTheDocument();
    // Every cell carries its label for the stacked layout below 640 px.
    for (const label of ['Database server', 'Schema', 'Health']) {
      expect(globex.querySelector(`td[data-label="${label}"]`)).not.toBeNull();
    }
    const fresh = screen.getByRole('link', { name: 'New' }).closest('tr') as HTMLElement;
    expect(within(fresh).getAllByText('—')).toHaveLength(3);
  });
});
