/** The onboarding wizard's test fixtures: tenants, jobs, servers, API routes and step helpers. */
import { screen } from '@testing-library/react';
import type userEvent from '@testing-library/user-event';
import { errorBody, mockApi } from './fetchMock';
import { server } from './servers';

export const SAMPLE = {
  id: '0192f000-0000-7000-8000-0000000000g1',
  slug: 'globex',
  displayName: 'Globex',
  plan: 'standard',
  status: 'active',
  url: 'http://globex.localhost:8081',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

export const CREATED = { ...SAMPLE, id: '0192f000-0000-7000-8000-0000000000a1', slug: 'acme', displayName: 'Acme Ltd', url: 'http://acme.localhost:8081', plan: 'enterprise' };

export function job(state: string, steps: Record<string, unknown>, currentStep: string | null = null) {
  return {
    id: '0192f000-0000-7000-8000-00000000j0b1',
    tenantId: CREATED.id,
    kind: 'provision',
    state,
    steps,
    currentStep,
    attempts: 1,
    lastError: state === 'failed' ? 'create tenant database: connection refused' : null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

export const SERVERS = [
  server('main', { tenants: 12 }),
  server('eu-2', { health: 'failing', healthDetail: 'timed out' }),
  server('old', { state: 'draining' }),
  server('acme-own', { kind: 'tenant_hosted', placement: 'dedicated', capacity: 1, tenants: 1 }),
  server('vip', { placement: 'dedicated', capacity: 1, tenants: 0 }),
];

export const DONE = { state: 'done', attempts: 1, at: '2026-01-01T00:00:00Z', duration_ms: 3 };

export function baseRoutes(extra: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    'GET /v1/tenants': { body: { items: [SAMPLE], nextCursor: null } },
    'GET /v1/tenants/:tenant': (_req, { tenant }) =>
      tenant === 'taken'
        ? { body: { ...SAMPLE, slug: 'taken' } }
        : tenant === CREATED.id
          ? { body: CREATED }
          : { status: 404, body: errorBody('NOT_FOUND', 'tenant not found') },
    'GET /v1/tenants/:tenant/jobs': { status: 404, body: errorBody('NOT_FOUND', 'tenant not found') },
    'GET /v1/servers': { body: { items: SERVERS } },
    ...extra,
  });
}

export async function fillIdentity(user: ReturnType<typeof userEvent.setup>, name = 'Acme Ltd', slug = 'acme') {
  await user.type(screen.getByLabelText(/^Tenant name/), name);
  const slugInput = screen.getByLabelText(/^Slug/);
  await user.clear(slugInput);
  await user.type(slugInput, slug);
  await screen.findByText('The slug is free.');
  await user.click(screen.getByRole('button', { name: 'Next' }));
}

/** The admin step with a password (the default is an invitation). */
export async function fillAdmin(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText(/^Admin e-mail/), 'owner@acme.example');
  await user.click(screen.getByRole('radio', { name: /Set a password/ }));
  await user.type(screen.getByLabelText(/^Admin password \*?$/), 'another long passphrase');
  await user.type(screen.getByLabelText(/^Admin password again/), 'another long passphrase');
  await user.click(screen.getByRole('button', { name: 'Next' }));
}
