import { describe, expect, it, vi } from 'vitest';
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MoveTenant } from './MoveTenant';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi, type Reply } from '../../test/fetchMock';
import { server } from '../../test/servers';
import { mockTenantPage, renderTenantPage, tenant } from '../../test/tenant';
import type { TenantView } from '../types';

const TENANT = tenant({
  database: { name: 't_acme', role: 't_acme', server: 'pg-1', serverId: 'srv-pg-1', serverHealth: 'ok', schemaVersion: '0007' },
});
const MOVED: TenantView = { ...TENANT, database: { ...TENANT.database!, server: 'pg-2', serverId: 'srv-pg-2' } };
const MOVE_PATH = `/v1/tenants/${TENANT.id}/move`;
const SERVERS = {
  items: [
    server('pg-1'),
    server('pg-2'),
    server('pg-old', { state: 'draining' }),
    server('pg-full', { tenants: 10, capacity: 10 }),
    server('pg-sick', { health: 'failing' }),
  ],
};

function select() {
  return screen.getByLabelText(/^Target server/) as HTMLSelectElement;
}

/** The servers, and a move that fails at `step` with `cause`, undone or not. */
function mockFailedMove(step: string, cause: string, undone: boolean) {
  return mockApi({
    'GET /v1/servers': { body: SERVERS },
    'POST /v1/tenants/:tenant/move': {
      status: 502,
      body: errorBody('PROVISIONING_FAILED', `move failed at ${step}`, {
        jobId: '0192f000-0000-7000-8000-0000deadbeef',
        step,
        cause,
        undone,
      }),
    },
  });
}

async function chooseAndConfirm(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.selectOptions(await screen.findByLabelText(/^Target server/), name);
  await user.click(screen.getByLabelText(/answers 503/));
}

describe('moving a tenant to another server', () => {
  it('offers every server but the current one; those that take no tenant are disabled with the reason', async () => {
    mockApi({ 'GET /v1/servers': { body: SERVERS } });
    renderConsole(<MoveTenant tenant={TENANT} onChanged={() => undefined} onFailed={() => undefined} />);
    await screen.findByLabelText(/^Target server/);
    expect(screen.getByText(/Served from/)).toHaveTextContent('Served from pg-1');
    const options = within(select()).getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((o) => o.value)).toEqual(['', 'pg-2', 'pg-old', 'pg-full', 'pg-sick']);
    const byValue = (v: string) => options.find((o) => o.value === v)!;
    expect(byValue('pg-2').disabled).toBe(false);
    expect(byValue('pg-old')).toBeDisabled();
    expect(byValue('pg-old').textContent).toMatch(/unavailable: draining/);
    expect(byValue('pg-full')).toBeDisabled();
    expect(byValue('pg-full').textContent).toMatch(/unavailable: full: 10 of 10/);
    expect(byValue('pg-sick').disabled).toBe(false);
    expect(byValue('pg-sick').textContent).toMatch(/health failing/);
  });

  it('sends exactly { server } only after confirmation, says it is copying, and shows the new server', async () => {
    let release: (r: Reply) => void = () => undefined;
    const api = mockApi({
      'GET /v1/servers': { body: SERVERS },
      'POST /v1/tenants/:tenant/move': () => new Promise<Reply>((resolve) => (release = resolve)),
    });
    const onChanged = vi.fn();
    const user = userEvent.setup();
    renderConsole(<MoveTenant tenant={TENANT} onChanged={onChanged} onFailed={() => undefined} />);
    await user.selectOptions(await screen.findByLabelText(/^Target server/), 'pg-2');
    const button = screen.getByRole('button', { name: 'Move tenant' });
    expect(button).toBeDisabled();
    await user.click(button);
    expect(api.requests('POST', MOVE_PATH)).toHaveLength(0);

    await user.click(screen.getByLabelText(/answers 503/));
    expect(button).toBeEnabled();
    await user.click(button);
    expect(await screen.findByRole('button', { name: /Moving… \(copying the tenant’s data\)/ })).toBeDisabled();
    expect(select()).toBeDisabled();
    release({ body: MOVED });

    expect(await screen.findByRole('status')).toHaveTextContent('Moved: the tenant is served from pg-2 now.');
    expect(api.requests('POST', MOVE_PATH).map((r) => r.body)).toEqual([{ server: 'pg-2' }]);
    expect(onChanged).toHaveBeenCalledWith(MOVED);
    expect(select()).toHaveValue('');
    expect(screen.getByLabelText(/answers 503/)).not.toBeChecked();
  });

  it('shows a 422 naming the server at the select, not above the form', async () => {
    mockApi({
      'GET /v1/servers': { body: SERVERS },
      'POST /v1/tenants/:tenant/move': {
        status: 422,
        body: errorBody('VALIDATION_FAILED', 'the tenant’s schema is behind; run `tenantry migrate run` first', { field: 'server' }),
      },
    });
    const onFailed = vi.fn();
    const user = userEvent.setup();
    renderConsole(<MoveTenant tenant={TENANT} onChanged={() => undefined} onFailed={onFailed} />);
    await chooseAndConfirm(user, 'pg-2');
    await user.click(screen.getByRole('button', { name: 'Move tenant' }));
    const message = await within(select().closest('.field') as HTMLElement).findByText(/run `tenantry migrate run` first/);
    expect(message).toBeInTheDocument();
    expect(select()).toHaveAttribute('aria-invalid', 'true');
    expect(select()).toHaveAccessibleDescription(/run `tenantry migrate run` first/);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(onFailed).not.toHaveBeenCalled();
  });

  it('says a failed move that was undone left the tenant on its old server', async () => {
    mockFailedMove('copy_data', 'pg_dump exited with 1', true);
    const onFailed = vi.fn();
    const onChanged = vi.fn();
    const user = userEvent.setup();
    renderConsole(<MoveTenant tenant={TENANT} onChanged={onChanged} onFailed={onFailed} />);
    await chooseAndConfirm(user, 'pg-2');
    await user.click(screen.getByRole('button', { name: 'Move tenant' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The move failed and was undone');
    expect(alert).toHaveTextContent('served from its old server pg-1 again');
    expect(alert).toHaveTextContent('at step copy_data (pg_dump exited with 1)');
    expect(alert).toHaveTextContent('PROVISIONING_FAILED');
    expect(onFailed).toHaveBeenCalledTimes(1);
    expect(onChanged).not.toHaveBeenCalled();
  });

  it('says to retry the job when the tenant was switched but the old copy was not cleaned up', async () => {
    mockFailedMove('drop_old', 'connection refused', false);
    const user = userEvent.setup();
    renderConsole(<MoveTenant tenant={TENANT} onChanged={() => undefined} onFailed={() => undefined} />);
    await chooseAndConfirm(user, 'pg-2');
    await user.click(screen.getByRole('button', { name: 'Move tenant' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Moved to pg-2, but the old copy was not cleaned up');
    expect(alert).toHaveTextContent('served from pg-2 now');
    expect(alert).toHaveTextContent('Retry job deadbeef');
    expect(alert).not.toHaveTextContent('again');
  });

  it.each(['failed', 'moving', 'provisioning'])('is not offered for a %s tenant', async (status) => {
    const api = mockApi({ 'GET /v1/servers': { body: SERVERS } });
    renderConsole(<MoveTenant tenant={{ ...TENANT, status }} onChanged={() => undefined} onFailed={() => undefined} />);
    expect(screen.getByText(status === 'moving' ? /A move is in progress/ : /Only an active or suspended tenant can be moved/)).toHaveClass(
      'muted',
    );
    expect(screen.queryByLabelText(/^Target server/)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Move tenant' })).not.toBeInTheDocument();
    await act(async () => undefined);
    expect(api.requests('GET', '/v1/servers')).toHaveLength(0);
  });

  it('is offered for a suspended tenant', async () => {
    mockApi({ 'GET /v1/servers': { body: SERVERS } });
    renderConsole(<MoveTenant tenant={{ ...TENANT, status: 'suspended' }} onChanged={() => undefined} onFailed={() => undefined} />);
    expect(await screen.findByRole('button', { name: 'Move tenant' })).toBeInTheDocument();
  });
});

describe('the tenant page', () => {
  it('shows a moving tenant as moving, with no move offered', async () => {
    mockTenantPage({ ...TENANT, status: 'moving' }, { 'GET /v1/servers': { body: SERVERS } });
    renderTenantPage();
    const overview = await screen.findByRole('region', { name: 'Overview' });
    const badge = within(overview).getByText('moving');
    expect(badge).toHaveClass('badge', 'badge-warn');
    const section = screen.getByRole('region', { name: 'Database server' });
    expect(within(section).getByText(/A move is in progress/)).toBeInTheDocument();
    expect(within(section).queryByRole('button', { name: 'Move tenant' })).not.toBeInTheDocument();
  });

  it('moves the tenant and shows its new server in the overview', async () => {
    const api = mockTenantPage(TENANT, { 'GET /v1/servers': { body: SERVERS }, 'POST /v1/tenants/:tenant/move': { body: MOVED } });
    const user = userEvent.setup();
    renderTenantPage();
    const section = await screen.findByRole('region', { name: 'Database server' });
    await chooseAndConfirm(user, 'pg-2');
    await user.click(within(section).getByRole('button', { name: 'Move tenant' }));
    expect(await within(section).findByText('Moved: the tenant is served from pg-2 now.')).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: 'Overview' })).getByText('pg-2')).toBeInTheDocument();
    expect(within(section).getByText(/Served from/)).toHaveTextContent('Served from pg-2');
    expect(api.requests('POST', MOVE_PATH)[0]?.body).toEqual({ server: 'pg-2' });
    // Now on pg-2, the choices are every server but pg-2.
    const options = within(select()).getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((o) => o.value)).toEqual(['', 'pg-1', 'pg-old', 'pg-full', 'pg-sick']);
  });
});
