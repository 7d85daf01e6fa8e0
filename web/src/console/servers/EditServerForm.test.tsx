import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ServersPage } from './ServersPage';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';
import { server } from '../../test/servers';

const MAIN = server('main');
const SMALL = server('main', { tenants: 1 });
const OWN = server('acme-db', { kind: 'tenant_hosted', placement: 'dedicated', capacity: 1, tenants: 1 });

async function openEdit(name: string) {
  const user = userEvent.setup();
  renderConsole(<ServersPage />);
  await user.click(await screen.findByRole('button', { name: `Edit ${name}` }));
  return { user, form: screen.getByRole('form', { name: `Edit ${name}` }) };
}

describe('editing a database server', () => {
  it('sends only what changed and updates the row', async () => {
    const api = mockApi({
      'GET /v1/servers': { body: { items: [SMALL] } },
      'PATCH /v1/servers/:name': (req) => ({ body: { ...SMALL, ...(req.body as object) } }),
    });
    const { user, form } = await openEdit('main');
    expect(within(form).getByRole('heading', { name: 'Edit main' })).toHaveFocus();
    const save = within(form).getByRole('button', { name: 'Save changes to main' });
    expect(save).toBeDisabled();
    const capacity = within(form).getByLabelText(/^Capacity/);
    await user.clear(capacity);
    await user.type(capacity, '200');
    await user.selectOptions(within(form).getByLabelText('Placement'), 'dedicated');
    await user.selectOptions(within(form).getByLabelText('State'), 'draining');
    await user.click(save);
    expect(await screen.findByText('Saved main.')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([
      { capacity: 200, placement: 'dedicated', state: 'draining' },
    ]);
    expect(screen.queryByRole('form', { name: 'Edit main' })).not.toBeInTheDocument();
    expect(screen.getByText('1 of 200')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit main' })).toHaveFocus();
  });

  it('checks the capacity and that a dedicated server holds one tenant before sending', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [MAIN] } } });
    const { user, form } = await openEdit('main');
    const capacity = within(form).getByLabelText(/^Capacity/);
    await user.clear(capacity);
    await user.type(capacity, '0');
    await user.selectOptions(within(form).getByLabelText('Placement'), 'dedicated');
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(capacity).toHaveAccessibleDescription(/a whole number, 1–100000 tenant databases/);
    expect(within(form).getByLabelText('Placement')).toHaveAccessibleDescription(/holds at most one tenant; this one holds 3/);
    expect(api.requests('PATCH', '/v1/servers/main')).toHaveLength(0);
  });

  it('locks a tenant-hosted server to dedicated', async () => {
    mockApi({ 'GET /v1/servers': { body: { items: [OWN] } } });
    const { form } = await openEdit('acme-db');
    expect(within(form).getByLabelText('Placement')).toBeDisabled();
    expect(within(form).getByLabelText('Placement')).toHaveValue('dedicated');
  });

  it('shows a 422 at the field it names, other errors above the form', async () => {
    let answer = { status: 422, body: errorBody('VALIDATION_FAILED', 'capacity: 1–100000 tenant databases', { field: 'capacity' }) };
    mockApi({ 'GET /v1/servers': { body: { items: [MAIN] } }, 'PATCH /v1/servers/:name': () => answer });
    const { user, form } = await openEdit('main');
    await user.selectOptions(within(form).getByLabelText('State'), 'draining');
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    const capacity = within(form).getByLabelText(/^Capacity/);
    expect(await within(form).findByText('capacity: 1–100000 tenant databases')).toBeInTheDocument();
    expect(capacity).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();

    answer = { status: 409, body: errorBody('INVALID_STATE', 'server is holding several tenants') };
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('server is holding several tenants');
    await user.click(within(form).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form', { name: 'Edit main' })).not.toBeInTheDocument();
  });
});
