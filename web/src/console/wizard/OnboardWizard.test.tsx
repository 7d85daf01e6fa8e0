import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OnboardWizard } from './OnboardWizard';
import { renderConsole } from '../../test/render';
import { errorBody } from '../../test/fetchMock';
import { CREATED, DONE, baseRoutes, fillAdmin, fillIdentity, job } from '../../test/wizard';

describe('onboarding wizard: identity step', () => {
  it('suggests the slug from the name and previews the URL', async () => {
    baseRoutes();
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await user.type(screen.getByLabelText(/^Tenant name/), 'Acme Ltd');
    expect(screen.getByLabelText(/^Slug/)).toHaveValue('acme-ltd');
    expect(await screen.findByTestId('url-preview')).toHaveTextContent('http://acme-ltd.localhost:8081');
  });

  it('validates the slug live with the server’s rules and checks availability', async () => {
    baseRoutes();
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    const slug = screen.getByLabelText(/^Slug/);

    await user.type(slug, 'Ab');
    expect(slug).toHaveValue('ab');
    expect(screen.getByText('slug must be 3 to 63 characters long')).toBeInTheDocument();
    expect(slug).toHaveAttribute('aria-invalid', 'true');

    await user.clear(slug);
    await user.type(slug, 'admin');
    expect(screen.getByText('slug is reserved')).toBeInTheDocument();

    await user.clear(slug);
    await user.type(slug, 'acme--x');
    expect(screen.getByText('slug must not contain two hyphens in a row')).toBeInTheDocument();

    await user.clear(slug);
    await user.type(slug, 'taken');
    expect(await screen.findByText('slug is taken')).toBeInTheDocument();
    await user.type(screen.getByLabelText(/^Tenant name/), 'Taken Inc');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByRole('heading', { name: /Step 1 of 5/ })).toBeInTheDocument();
  });

  it('does not move on without a name', async () => {
    baseRoutes();
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await user.type(screen.getByLabelText(/^Slug/), 'acme');
    await screen.findByText('The slug is free.');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('must not be empty')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: /Step 1 of 5/ })).toBeInTheDocument();
  });
});

describe('onboarding wizard: through to create', () => {
  it('walks identity → plan → storage → admin → review and creates the tenant', async () => {
    const api = baseRoutes({ 'POST /v1/tenants': { status: 201, body: CREATED } });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);

    await fillIdentity(user);
    expect(screen.getByRole('heading', { name: /Step 2 of 5: Plan/ })).toHaveFocus();
    await user.click(screen.getByRole('radio', { name: /enterprise/ }));
    await user.click(screen.getByRole('button', { name: 'Next' }));

    expect(screen.getByRole('heading', { name: /Step 3 of 5: Storage/ })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: /Platform default/ })).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Next' }));

    expect(screen.getByRole('heading', { name: /Step 4 of 5: First admin/ })).toBeInTheDocument();
    await user.type(screen.getByLabelText(/^Admin e-mail/), 'owner@acme.example');
    expect(screen.getByRole('radio', { name: /Send an invitation/ })).toBeChecked();
    await user.click(screen.getByRole('radio', { name: /Set a password/ }));
    await user.type(screen.getByLabelText(/^Admin password \*?$/), 'another long passphrase');
    await user.type(screen.getByLabelText(/^Admin password again/), 'something else entirely');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('the two passwords differ')).toBeInTheDocument();
    await user.clear(screen.getByLabelText(/^Admin password again/));
    await user.type(screen.getByLabelText(/^Admin password again/), 'another long passphrase');
    await user.click(screen.getByRole('button', { name: 'Next' }));

    expect(screen.getByRole('heading', { name: /Step 5 of 5: Review/ })).toBeInTheDocument();
    expect(screen.getByText('http://acme.localhost:8081')).toBeInTheDocument();
    expect(screen.getByText(/owner@acme.example/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));

    expect(await screen.findByRole('heading', { name: 'The tenant is ready' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'http://acme.localhost:8081' })).toHaveAttribute('href', 'http://acme.localhost:8081');
    const [post] = api.requests('POST', '/v1/tenants');
    expect(post?.body).toEqual({
      slug: 'acme',
      displayName: 'Acme Ltd',
      plan: 'enterprise',
      admin: { email: 'owner@acme.example', password: 'another long passphrase' },
    });
    expect(post?.headers.get('authorization')).toBe('Bearer op-token');
    // Platform default: nothing to register afterwards.
    expect(api.calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
  });

  it('shows the failed step and retries the job', async () => {
    const failed = job('failed', {
      reserve: DONE,
      place: DONE,
      create_role: DONE,
      create_database: { state: 'failed', attempts: 3, at: '2026-01-01T00:00:00Z', error: 'connection refused', duration_ms: 5 },
    }, 'create_database');
    const succeeded = job('succeeded', Object.fromEntries(['reserve', 'place', 'create_role', 'create_database', 'migrate', 'seed_admin', 'activate'].map((s) => [s, DONE])));
    const api = baseRoutes({
      'POST /v1/tenants': {
        status: 502,
        body: errorBody('PROVISIONING_FAILED', 'provisioning failed at step create_database', {
          jobId: failed.id,
          tenantId: CREATED.id,
          step: 'create_database',
          cause: 'connection refused',
        }),
      },
      'GET /v1/jobs/:id': { body: failed },
      'POST /v1/jobs/:id/retry': { body: succeeded },
    });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await fillIdentity(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await fillAdmin(user);
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));

    expect(await screen.findByText('provisioning failed at step create_database')).toBeInTheDocument();
    expect(screen.getByText('connection refused')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry from the failed step' }));
    expect(await screen.findByRole('heading', { name: 'The tenant is ready' })).toBeInTheDocument();
    expect(api.requests('POST', `/v1/jobs/${failed.id}/retry`)).toHaveLength(1);
  });

  it('sends the operator back to the field the server refused', async () => {
    baseRoutes({ 'POST /v1/tenants': { status: 409, body: errorBody('SLUG_TAKEN', 'slug `acme` is taken', { field: 'slug' }) } });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await fillIdentity(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await fillAdmin(user);
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));

    await waitFor(() => expect(screen.getByRole('heading', { name: /Step 1 of 5/ })).toBeInTheDocument());
    expect(screen.getByText('slug `acme` is taken')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Slug/)).toHaveAttribute('aria-invalid', 'true');
  });
});

describe('onboarding wizard: storage', () => {
  const STORAGE_PATH = `/v1/tenants/${CREATED.id}/storage`;
  const NAS_VIEW = { primary: { kind: 'nas', root: '/srv/acme' }, fallback: null, encrypted: true, health: 'ok', checkedAt: '2026-01-01T00:00:00Z' };

  async function chooseNas(user: ReturnType<typeof userEvent.setup>, root: string) {
    await user.click(screen.getByRole('radio', { name: /Tenant-hosted/ }));
    const primary = screen.getByRole('group', { name: 'Primary backend' });
    expect(within(primary).getByLabelText('Kind')).toHaveValue('nas');
    await user.type(within(primary).getByLabelText(/^Mount path/), root);
  }

  it('registers a tenant-hosted backend right after the tenant is created', async () => {
    const api = baseRoutes({ 'POST /v1/tenants': { status: 201, body: CREATED }, [`PUT ${STORAGE_PATH}`]: { body: NAS_VIEW } });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await fillIdentity(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));

    await user.click(screen.getByRole('radio', { name: /Tenant-hosted/ }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('root must be an absolute path')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: /Step 3 of 5: Storage/ })).toBeInTheDocument();
    await user.type(screen.getByLabelText(/^Mount path/), '/srv/acme');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await fillAdmin(user);

    expect(screen.getByText(/NAS mount at \/srv\/acme; encrypted with the tenant’s key/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));
    expect(await screen.findByRole('heading', { name: 'The tenant is ready' })).toBeInTheDocument();
    expect(await screen.findByText(/Files go to NAS mount at \/srv\/acme: it passed its live check/)).toBeInTheDocument();
    const puts = api.requests('PUT', STORAGE_PATH);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.body).toEqual({ primary: { kind: 'nas', root: '/srv/acme' }, fallback: null, encrypted: true });
    // The tenant was created without storage in its body: that is a separate call.
    expect(api.requests('POST', '/v1/tenants')[0]?.body).not.toHaveProperty('storage');
  });

  it('shows a failed live check on the ready screen, to fix and retry', async () => {
    let attempt = 0;
    const api = baseRoutes({
      'POST /v1/tenants': { status: 201, body: CREATED },
      [`PUT ${STORAGE_PATH}`]: () =>
        ++attempt === 1
          ? { status: 422, body: errorBody('VALIDATION_FAILED', 'primary: /srv/acm is not a directory', { field: 'primary' }) }
          : { body: NAS_VIEW },
    });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await fillIdentity(user);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await chooseNas(user, '/srv/acm');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await fillAdmin(user);
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));

    expect(await screen.findByRole('heading', { name: 'The tenant is ready' })).toBeInTheDocument();
    const primary = await screen.findByRole('group', { name: 'Primary backend' });
    expect(within(primary).getByRole('alert')).toHaveTextContent('primary: /srv/acm is not a directory');
    expect(screen.getByText(/uses the platform’s storage for now/)).toBeInTheDocument();

    const root = within(primary).getByLabelText(/^Mount path/);
    await user.clear(root);
    await user.type(root, '/srv/acme');
    expect(within(primary).queryByRole('alert')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Check again and save' }));
    expect(await screen.findByText(/Files go to NAS mount at \/srv\/acme/)).toBeInTheDocument();
    expect(api.requests('PUT', STORAGE_PATH).map((r) => (r.body as { primary: { root: string } }).primary.root)).toEqual([
      '/srv/acm',
      '/srv/acme',
    ]);
  });
});

describe('onboarding wizard: database server', () => {
  it('offers automatic placement by default and servers that can take the tenant', async () => {
    const api = baseRoutes({ 'POST /v1/tenants': { status: 201, body: { ...CREATED, database: { serverId: 'srv-vip', server: 'vip', name: 'tenant_acme', role: 'tenant_acme' } } } });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await fillIdentity(user);

    const group = screen.getByRole('group', { name: 'Database server' });
    expect(within(group).getByRole('radio', { name: /Automatic: fewest tenants/ })).toBeChecked();
    expect(await within(group).findByRole('radio', { name: /main/ })).toBeEnabled();
    expect(within(group).getByRole('radio', { name: /main/ })).toHaveAccessibleName(/12 of 5000 tenants/);
    expect(within(group).getByRole('radio', { name: /eu-2/ })).toBeEnabled();
    expect(within(group).getByRole('radio', { name: /eu-2/ })).toHaveAccessibleName(/health failing/);
    expect(within(group).getByRole('radio', { name: /old/ })).toBeDisabled();
    expect(within(group).getByRole('radio', { name: /old/ })).toHaveAccessibleName(/unavailable: draining/);
    expect(within(group).getByRole('radio', { name: /acme-own/ })).toBeDisabled();
    expect(within(group).getByRole('radio', { name: /acme-own/ })).toHaveAccessibleName(/unavailable: dedicated, and its tenant is placed/);
    expect(within(group).getByRole('radio', { name: /vip/ })).toBeEnabled();

    await user.click(within(group).getByRole('radio', { name: /vip/ }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await fillAdmin(user);
    expect(screen.getByText('vip', { selector: 'code' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));
    expect(await screen.findByRole('heading', { name: 'The tenant is ready' })).toBeInTheDocument();
    expect(screen.getByText(/Its database is on server/)).toHaveTextContent('vip');
    expect(api.requests('POST', '/v1/tenants')[0]?.body).toMatchObject({ slug: 'acme', server: 'vip' });
  });

  it('sends no server for automatic placement, and still works when the servers cannot be listed', async () => {
    const api = baseRoutes({
      'GET /v1/servers': { status: 403, body: errorBody('FORBIDDEN', 'not allowed') },
      'POST /v1/tenants': { status: 201, body: CREATED },
    });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await fillIdentity(user);
    expect(await screen.findByRole('alert')).toHaveTextContent('automatic placement still works');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await fillAdmin(user);
    expect(screen.getByText(/automatic \(fewest tenants\)/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));
    await screen.findByRole('heading', { name: 'The tenant is ready' });
    expect(api.requests('POST', '/v1/tenants')[0]?.body).not.toHaveProperty('server');
  });

  it('sends the operator back to the server choice when the server refuses it', async () => {
    baseRoutes({
      'POST /v1/tenants': {
        status: 422,
        body: errorBody('VALIDATION_FAILED', 'database server is vip (dedicated, taken), expected a dedicated server without a tenant', { field: 'server' }),
      },
    });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await fillIdentity(user);
    await user.click(await screen.findByRole('radio', { name: /vip/ }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await fillAdmin(user);
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));

    await waitFor(() => expect(screen.getByRole('heading', { name: /Step 2 of 5: Plan and placement/ })).toBeInTheDocument());
    const group = screen.getByRole('group', { name: 'Database server' });
    expect(within(group).getByText(/vip \(dedicated, taken\)/)).toBeInTheDocument();
    expect(group).toHaveAccessibleDescription(/dedicated, taken/);
    // Shown at the field, not twice.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
