import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ServersPage } from './ServersPage';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';
import { CHECK, server, serverRow as row } from '../../test/servers';
import { formatDate } from '../../shared/format';

const MAIN = server('main');
const FAILING = server('eu-2', { health: 'failing', healthDetail: 'cannot connect to eu-2.db.internal:5432: timed out', tenants: 0, serverVersion: null });

describe('database servers list', () => {
  it('shows each server’s kind, placement, state, load, health with its detail, and version', async () => {
    mockApi({ 'GET /v1/servers': { body: { items: [MAIN, FAILING] } } });
    renderConsole(<ServersPage />);
    expect(await screen.findByText('main', { selector: 'strong' })).toBeInTheDocument();
    const main = row('main');
    expect(within(main).getByText('main.db.internal:5432')).toBeInTheDocument();
    expect(within(main).getByText('3 of 5000')).toBeInTheDocument();
    expect(within(main).getByText('16.4')).toBeInTheDocument();
    expect(within(main).getByText('shared')).toBeInTheDocument();
    const failing = row('eu-2');
    expect(within(failing).getByText('failing')).toBeInTheDocument();
    expect(within(failing).getByText('cannot connect to eu-2.db.internal:5432: timed out')).toBeInTheDocument();
  });

  it('shows how the control plane connects to each server', async () => {
    mockApi({
      'GET /v1/servers': {
        body: {
          items: [
            MAIN,
            server('tls', { tlsMode: 'require' }),
            server('ca', { tlsMode: 'verify-full', tlsCaRegistered: true }),
            server('roots', { tlsMode: 'verify-full' }),
          ],
        },
      },
    });
    renderConsole(<ServersPage />);
    expect(await screen.findByRole('columnheader', { name: 'TLS' })).toBeInTheDocument();
    expect(within(row('main')).getByText('disable')).toBeInTheDocument();
    expect(within(row('tls')).getByText('require')).toBeInTheDocument();
    expect(within(row('ca')).getByText('verify-full (registered CA)')).toBeInTheDocument();
    expect(within(row('roots')).getByText('verify-full (host roots)')).toBeInTheDocument();
  });

  it('shows until when each server’s certificate and CA are valid, and the warning when it ends soon', async () => {
    const expiring = server('ca', {
      tlsMode: 'verify-full',
      tlsCaRegistered: true,
      tlsCertificateExpiresAt: '2026-12-05T00:00:00Z',
      tlsCaExpiresAt: '2030-01-01T00:00:00Z',
      healthDetail: 'the server’s TLS certificate expires on 2026-12-05 00:00 UTC (in 12 days)',
    });
    mockApi({ 'GET /v1/servers': { body: { items: [MAIN, expiring] } } });
    renderConsole(<ServersPage />);
    expect(await screen.findByText('ca', { selector: 'strong' })).toBeInTheDocument();
    const ca = row('ca');
    expect(within(ca).getByText(`certificate until ${formatDate('2026-12-05T00:00:00Z')}`)).toBeInTheDocument();
    expect(within(ca).getByText(`CA until ${formatDate('2030-01-01T00:00:00Z')}`)).toBeInTheDocument();
    expect(within(ca).getByText(/expires on 2026-12-05/)).toBeInTheDocument();
    expect(within(row('main')).queryByText(/until/)).not.toBeInTheDocument();
  });

  it('shows until when the client certificate the platform presents is valid', async () => {
    const gov = server('gov', { tlsMode: 'verify-full', tlsClientCertificate: true, tlsClientCertificateExpiresAt: '2027-03-01T00:00:00Z' });
    mockApi({ 'GET /v1/servers': { body: { items: [MAIN, gov] } } });
    renderConsole(<ServersPage />);
    expect(await screen.findByText('gov', { selector: 'strong' })).toBeInTheDocument();
    expect(within(row('gov')).getByText(`client certificate until ${formatDate('2027-03-01T00:00:00Z')}`)).toHaveClass('muted');
    expect(within(row('main')).queryByText(/client certificate/)).not.toBeInTheDocument();
  });

  it('shows a healthy server’s detail as a warning, and a failing server’s as an error', async () => {
    // `require` connects to a server whose certificate has ended: it stays `ok`, with a warning.
    const expired = server('old', { healthDetail: 'the server’s TLS certificate expired on 2026-01-01 00:00 UTC' });
    mockApi({ 'GET /v1/servers': { body: { items: [expired, FAILING] } } });
    renderConsole(<ServersPage />);
    expect(await screen.findByText('old', { selector: 'strong' })).toBeInTheDocument();
    const warning = within(row('old')).getByText(/expired on 2026-01-01/);
    expect(warning).toHaveClass('step-warning');
    expect(warning).not.toHaveClass('step-error');
    expect(warning).toHaveTextContent(/^Warning: the server’s TLS certificate expired/);
    const error = within(row('eu-2')).getByText(/timed out/);
    expect(error).toHaveClass('step-error');
    expect(error).not.toHaveClass('step-warning');
    expect(error).not.toHaveTextContent(/Warning/);
  });

  it('shows the API’s error when the list cannot be loaded', async () => {
    mockApi({ 'GET /v1/servers': { status: 500, body: errorBody('INTERNAL', 'internal error') } });
    renderConsole(<ServersPage />);
    expect(await screen.findByRole('alert')).toHaveTextContent('internal error');
  });

  it('drains and re-activates a server', async () => {
    const api = mockApi({
      'GET /v1/servers': { body: { items: [MAIN] } },
      'PATCH /v1/servers/:name': (req) => ({ body: { ...MAIN, state: (req.body as { state: string }).state } }),
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await user.click(await screen.findByRole('button', { name: 'Drain main' }));
    expect(await screen.findByRole('button', { name: 'Activate main' })).toBeInTheDocument();
    expect(within(row('main')).getByText('draining')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Activate main' }));
    expect(await screen.findByRole('button', { name: 'Drain main' })).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ state: 'draining' }, { state: 'active' }]);
  });

  it('checks a server now and shows what it found', async () => {
    mockApi({
      'GET /v1/servers': { body: { items: [FAILING] } },
      'POST /v1/servers/:name/check': { body: { server: { ...FAILING, health: 'ok', healthDetail: null, serverVersion: '16.4' }, check: CHECK } },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await user.click(await screen.findByRole('button', { name: 'Check now eu-2' }));
    expect(await screen.findByText(/Check passed: 16.4, TLS/)).toBeInTheDocument();
    expect(within(row('eu-2')).getByText('ok')).toBeInTheDocument();
    expect(screen.queryByText(/timed out/)).not.toBeInTheDocument();
  });

  it('removes a server only after its name is typed, and shows why the server refuses', async () => {
    let refuse = true;
    const api = mockApi({
      'GET /v1/servers': { body: { items: [MAIN] } },
      'DELETE /v1/servers/:name': () =>
        refuse
          ? {
              status: 409,
              body: errorBody('INVALID_STATE', 'database server is holding tenant databases, expected empty (offboard or move its tenants first)'),
            }
          : { status: 204 },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await user.click(await screen.findByRole('button', { name: 'Remove main' }));
    const confirm = screen.getByRole('button', { name: 'Remove server main' });
    expect(confirm).toBeDisabled();
    expect(screen.getByLabelText(/Type main to remove it/)).toHaveFocus();
    await user.type(screen.getByLabelText(/Type main to remove it/), 'mai');
    expect(confirm).toBeDisabled();
    await user.type(screen.getByLabelText(/Type main to remove it/), 'n');
    await user.click(confirm);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('holding tenant databases');
    expect(alert).toHaveTextContent('INVALID_STATE');

    refuse = false;
    await user.click(screen.getByRole('button', { name: 'Remove server main' }));
    expect(await screen.findByText('Removed main.')).toBeInTheDocument();
    expect(screen.queryByText('main', { selector: 'strong' })).not.toBeInTheDocument();
    expect(api.requests('DELETE', '/v1/servers/main')).toHaveLength(2);
  });
});
