import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SandboxesPage } from '../pages/SandboxesPage';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';
import { server } from '../../test/servers';

const VIEW = {
  id: '0192f000-0000-7000-8000-0000000000b2',
  slug: 'sbx-0a1b2c3d4e5f',
  displayName: 'Sandbox ci-42',
  status: 'active',
  url: 'http://sbx-0a1b2c3d4e5f.localhost:8081',
  createdAt: '2026-01-01T00:00:00Z',
  expiresAt: '2026-01-01T02:00:00Z',
};
const CREATED = {
  ...VIEW,
  apiKey: 'tk_0123456789abcdef0123456789abcdef_secret',
  admin: { email: 'owner@sbx-0a1b2c3d4e5f.sandbox.test', password: 'sandbox-password-xyz' },
};

async function openForm() {
  const user = userEvent.setup();
  renderConsole(<SandboxesPage />);
  await user.click(await screen.findByRole('button', { name: 'Create a sandbox' }));
  return { user, form: screen.getByRole('form', { name: 'Create a sandbox' }) };
}

describe('creating a sandbox', () => {
  it('sends the choices, shows the URLs and credentials once and refreshes the list', async () => {
    const items: (typeof VIEW)[] = [];
    const api = mockApi({
      'GET /v1/sandboxes': () => ({ body: { items } }),
      'GET /v1/servers': { body: { items: [server('main'), server('old', { state: 'draining' })] } },
      'POST /v1/sandboxes': () => {
        items.push(VIEW);
        return { status: 201, body: CREATED };
      },
    });
    const { user, form } = await openForm();
    expect(screen.getByRole('heading', { name: 'Create a sandbox' })).toHaveFocus();
    await user.type(within(form).getByLabelText(/^Label/), 'ci-42');
    const minutes = within(form).getByLabelText(/^Lifetime in minutes/);
    await user.clear(minutes);
    await user.type(minutes, '120');
    await user.selectOptions(within(form).getByLabelText('Plan'), 'free');
    const serverSelect = within(form).getByLabelText('Database server');
    await within(serverSelect).findByRole('option', { name: 'main' });
    expect(within(serverSelect).queryByRole('option', { name: 'old' })).not.toBeInTheDocument();
    await user.selectOptions(serverSelect, 'main');
    await user.click(within(form).getByRole('button', { name: 'Create sandbox' }));

    expect(await screen.findByTestId('shown-once-secret')).toHaveTextContent(CREATED.apiKey);
    expect(screen.getByTestId('sandbox-admin-email')).toHaveTextContent(CREATED.admin.email);
    expect(screen.getByTestId('sandbox-admin-password')).toHaveTextContent(CREATED.admin.password);
    expect(screen.getByRole('link', { name: `${VIEW.url}/` })).toHaveAttribute('href', `${VIEW.url}/`);
    expect(screen.getByText(`${VIEW.url}/v1`)).toBeInTheDocument();
    expect(api.requests('POST', '/v1/sandboxes')[0]?.body).toEqual({ ttlSeconds: 7200, label: 'ci-42', plan: 'free', server: 'main' });
    expect(await screen.findByRole('link', { name: VIEW.url })).toBeInTheDocument();
    expect(api.requests('GET', '/v1/sandboxes')).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByText(CREATED.apiKey)).not.toBeInTheDocument();
    expect(screen.queryByText(CREATED.admin.password)).not.toBeInTheDocument();
  });

  it('sends only the lifetime by default, and checks it and the label first', async () => {
    const api = mockApi({
      'GET /v1/sandboxes': { body: { items: [] } },
      'GET /v1/servers': { status: 500, body: errorBody('INTERNAL', 'internal error') },
      'POST /v1/sandboxes': { status: 201, body: CREATED },
    });
    const { user, form } = await openForm();
    expect(await within(form).findByText(/automatic placement still works/)).toBeInTheDocument();
    const minutes = within(form).getByLabelText(/^Lifetime in minutes/);
    await user.clear(minutes);
    await user.type(minutes, '20000');
    await user.type(within(form).getByLabelText(/^Label/), 'x'.repeat(61));
    await user.click(within(form).getByRole('button', { name: 'Create sandbox' }));
    expect(minutes).toHaveAccessibleDescription(/between 1 minute and 7 days/);
    expect(within(form).getByLabelText(/^Label/)).toHaveAccessibleDescription(/at most 60 printable characters/);
    expect(api.requests('POST', '/v1/sandboxes')).toHaveLength(0);

    await user.clear(minutes);
    await user.type(minutes, '30');
    await user.clear(within(form).getByLabelText(/^Label/));
    await user.click(within(form).getByRole('button', { name: 'Create sandbox' }));
    await screen.findByTestId('shown-once-secret');
    expect(api.requests('POST', '/v1/sandboxes')[0]?.body).toEqual({ ttlSeconds: 1800 });
  });

  it('shows the API’s message: at the field it names, or above the form', async () => {
    let answer = { status: 422, body: errorBody('VALIDATION_FAILED', 'ttl: between 1 minute and 7 days', { field: 'ttl' }) };
    mockApi({
      'GET /v1/sandboxes': { body: { items: [] } },
      'GET /v1/servers': { body: { items: [] } },
      'POST /v1/sandboxes': () => answer,
    });
    const { user, form } = await openForm();
    await user.click(within(form).getByRole('button', { name: 'Create sandbox' }));
    expect(await within(form).findByText('ttl: between 1 minute and 7 days')).toBeInTheDocument();
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
    answer = { status: 502, body: errorBody('PROVISIONING_FAILED', 'provisioning failed at create_database') };
    await user.click(within(form).getByRole('button', { name: 'Create sandbox' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('provisioning failed at create_database');
  });
});
