import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ServersPage } from './ServersPage';
import { EditServerForm } from './EditServerForm';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';
import { CLIENT_CERT, CLIENT_KEY, server } from '../../test/servers';
import { formatDate } from '../../shared/format';

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

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2E=\n-----END CERTIFICATE-----';
const REQUIRE = server('main', { tlsMode: 'require' });
const PINNED = server('main', { tlsMode: 'verify-full', tlsCaRegistered: true });

/** Answers a PATCH as the server would: the new TLS mode, and whether a CA bundle is registered. */
function patched(base: ReturnType<typeof server>) {
  return (req: { body: unknown }) => {
    const b = req.body as { tlsMode?: string; caCertificate?: string | null };
    const tlsMode = b.tlsMode ?? base.tlsMode;
    const kept = b.caCertificate === undefined && tlsMode === 'verify-full' && base.tlsCaRegistered;
    return { body: { ...base, tlsMode, tlsCaRegistered: typeof b.caCertificate === 'string' || kept } };
  };
}

function connection(form: HTMLElement) {
  return within(form).getByRole('group', { name: 'Connection' });
}

describe('changing how the platform reaches a database server', () => {
  it('switches to verify-full with a CA bundle, sending only the mode and the bundle', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [REQUIRE] } }, 'PATCH /v1/servers/:name': patched(REQUIRE) });
    const { user, form } = await openEdit('main');
    const mode = within(connection(form)).getByLabelText('Connection security');
    expect(mode).toHaveValue('require');
    expect(mode).toHaveAccessibleDescription(/^Now require\./);
    expect(within(form).queryByLabelText('CA certificate (PEM)')).not.toBeInTheDocument();
    await user.selectOptions(mode, 'verify-full');
    const ca = within(form).getByLabelText('CA certificate (PEM)');
    expect(ca).toHaveAccessibleDescription(/Empty: the control plane's trusted roots/);
    expect(within(form).queryByLabelText(/Trust the host's roots/)).not.toBeInTheDocument();
    await user.click(ca);
    await user.paste(PEM);
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));

    expect(await screen.findByText('Saved main.')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ tlsMode: 'verify-full', caCertificate: PEM }]);
    expect(screen.getByText('verify-full (registered CA)')).toBeInTheDocument();
  });

  it('removes the registered CA bundle with null, keeping the mode out of the body', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [PINNED] } }, 'PATCH /v1/servers/:name': patched(PINNED) });
    const { user, form } = await openEdit('main');
    const ca = within(form).getByLabelText('CA certificate (PEM)');
    expect(ca).toHaveAccessibleDescription('A CA bundle is registered; paste a new one to replace it, or remove it.');
    await user.click(ca);
    await user.paste('junk that is never sent');
    await user.click(within(form).getByLabelText("Trust the host's roots instead of the registered bundle"));
    expect(ca).toBeDisabled();
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));

    expect(await screen.findByText('Saved main.')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ caCertificate: null }]);
    expect(screen.getByText('verify-full (host roots)')).toBeInTheDocument();
  });

  it('replaces the registered bundle, and drops it by leaving verify-full', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [PINNED] } }, 'PATCH /v1/servers/:name': patched(PINNED) });
    const { user, form } = await openEdit('main');
    await user.click(within(form).getByLabelText('CA certificate (PEM)'));
    await user.paste(PEM);
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await screen.findByText('Saved main.')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Edit main' }));
    const again = screen.getByRole('form', { name: 'Edit main' });
    const mode = within(again).getByLabelText('Connection security');
    await user.selectOptions(mode, 'require');
    expect(mode).toHaveAccessibleDescription(/Another mode drops the registered CA bundle/);
    expect(within(again).queryByLabelText('CA certificate (PEM)')).not.toBeInTheDocument();
    await user.click(within(again).getByRole('button', { name: 'Save changes to main' }));
    expect(await screen.findByText('require')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ caCertificate: PEM }, { tlsMode: 'require' }]);
  });

  it('checks the CA bundle is PEM before sending, and never sends one without verify-full', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [REQUIRE] } }, 'PATCH /v1/servers/:name': patched(REQUIRE) });
    const { user, form } = await openEdit('main');
    await user.selectOptions(within(form).getByLabelText('Connection security'), 'verify-full');
    await user.click(within(form).getByLabelText('CA certificate (PEM)'));
    await user.paste('MIIBszCCAVmgAwIBAgIUY2E=');
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    const ca = within(form).getByLabelText('CA certificate (PEM)');
    expect(ca).toHaveAttribute('aria-invalid', 'true');
    expect(ca).toHaveAccessibleDescription(/a PEM CA bundle/);
    expect(api.requests('PATCH', '/v1/servers/main')).toHaveLength(0);

    await user.selectOptions(within(form).getByLabelText('Connection security'), 'disable');
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await screen.findByText('Saved main.')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ tlsMode: 'disable' }]);
  });

  it('sends a new admin password and clears it once saved', async () => {
    const api = mockApi({ 'PATCH /v1/servers/:name': { body: MAIN } });
    const onSaved = vi.fn();
    const user = userEvent.setup();
    renderConsole(<EditServerForm server={MAIN} onSaved={onSaved} onCancel={() => {}} />);
    const password = screen.getByLabelText('New admin password');
    expect(password).toHaveAttribute('type', 'password');
    expect(password).toHaveAttribute('autocomplete', 'new-password');
    expect(password).toHaveAccessibleDescription(/Set it on the server first; the platform checks it before storing it\./);
    await user.type(password, 'n3w secret');
    await user.click(screen.getByRole('button', { name: 'Save changes to main' }));

    await vi.waitFor(() => expect(onSaved).toHaveBeenCalledWith(MAIN));
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ adminPassword: 'n3w secret' }]);
    expect(password).toHaveValue('');
    expect(screen.getByRole('button', { name: 'Save changes to main' })).toBeDisabled();
  });

  it('shows a failed live check in the Connection section: nothing changed, the draft is kept', async () => {
    const reason = 'cannot connect to main.db.internal:5432: server does not support TLS (no encryption)';
    const api = mockApi({
      'GET /v1/servers': { body: { items: [MAIN] } },
      'PATCH /v1/servers/:name': { status: 422, body: errorBody('VALIDATION_FAILED', reason, { field: 'server', check: reason }) },
    });
    const { user, form } = await openEdit('main');
    await user.selectOptions(within(form).getByLabelText('Connection security'), 'require');
    await user.type(within(form).getByLabelText('New admin password'), 'n3w secret');
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));

    const alert = await within(connection(form)).findByRole('alert');
    expect(alert).toHaveTextContent('The live check failed; nothing was changed');
    expect(alert).toHaveTextContent(reason);
    expect(within(form).getAllByRole('alert')).toHaveLength(1);
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ tlsMode: 'require', adminPassword: 'n3w secret' }]);
    expect(within(form).getByLabelText('Connection security')).toHaveValue('require');
    expect(within(form).getByLabelText('New admin password')).toHaveValue('n3w secret');
    expect(screen.getByRole('cell', { name: 'disable' })).toBeInTheDocument();
  });

  it('shows a CA bundle the server refused at that field', async () => {
    const message = 'caCertificate: no certificate found in the PEM';
    mockApi({
      'GET /v1/servers': { body: { items: [PINNED] } },
      'PATCH /v1/servers/:name': { status: 422, body: errorBody('VALIDATION_FAILED', message, { field: 'caCertificate' }) },
    });
    const { user, form } = await openEdit('main');
    await user.click(within(form).getByLabelText('CA certificate (PEM)'));
    await user.paste(PEM);
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await within(form).findByText(message)).toBeInTheDocument();
    expect(within(form).getByLabelText('CA certificate (PEM)')).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
  });
});

const UNTIL = '2027-03-01T00:00:00Z';
const PRESENTING = server('main', { tlsMode: 'require', tlsClientCertificate: true, tlsClientCertificateExpiresAt: UNTIL });

function clientCertificate(form: HTMLElement) {
  return within(form).getByRole('group', { name: 'Client certificate' });
}

describe('the client certificate the platform presents to a database server', () => {
  it('says until when the registered one is valid, and keeps it unless asked', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [PRESENTING] } }, 'PATCH /v1/servers/:name': { body: PRESENTING } });
    const { user, form } = await openEdit('main');
    expect(clientCertificate(form)).toHaveAccessibleDescription(
      `A client certificate is registered (valid until ${formatDate(UNTIL)}); paste a new one with its key to replace it, or stop presenting it.`,
    );
    await user.selectOptions(within(form).getByLabelText('State'), 'draining');
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await screen.findByText('Saved main.')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ state: 'draining' }]);
  });

  it('replaces it, sending the new certificate with its key', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [PRESENTING] } }, 'PATCH /v1/servers/:name': { body: PRESENTING } });
    const { user, form } = await openEdit('main');
    await user.click(within(form).getByLabelText('Client certificate (PEM)'));
    await user.paste(CLIENT_CERT);
    await user.click(within(form).getByLabelText('Client private key (PEM)'));
    await user.paste(CLIENT_KEY);
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await screen.findByText('Saved main.')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([
      { clientCertificate: CLIENT_CERT, clientKey: CLIENT_KEY },
    ]);
  });

  it('stops presenting it with null', async () => {
    const api = mockApi({
      'GET /v1/servers': { body: { items: [PRESENTING] } },
      'PATCH /v1/servers/:name': { body: { ...PRESENTING, tlsClientCertificate: false, tlsClientCertificateExpiresAt: null } },
    });
    const { user, form } = await openEdit('main');
    await user.click(within(form).getByLabelText('Client private key (PEM)'));
    await user.paste('junk that is never sent');
    await user.click(within(form).getByLabelText('Stop presenting the client certificate'));
    expect(within(form).getByLabelText('Client private key (PEM)')).toBeDisabled();
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await screen.findByText('Saved main.')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ clientCertificate: null }]);
  });

  it('stops presenting it when leaving TLS, which cannot carry one', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [PRESENTING] } }, 'PATCH /v1/servers/:name': { body: MAIN } });
    const { user, form } = await openEdit('main');
    const mode = within(form).getByLabelText('Connection security');
    await user.selectOptions(mode, 'disable');
    expect(mode).toHaveAccessibleDescription(/No TLS also stops presenting the client certificate\./);
    expect(within(form).queryByRole('group', { name: 'Client certificate' })).not.toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await screen.findByText('Saved main.')).toBeInTheDocument();
    expect(api.requests('PATCH', '/v1/servers/main').map((r) => r.body)).toEqual([{ tlsMode: 'disable', clientCertificate: null }]);
  });

  it('shows a key the server refused at the key field', async () => {
    const message = 'the client certificate and key: the key does not belong to the certificate';
    mockApi({
      'GET /v1/servers': { body: { items: [REQUIRE] } },
      'PATCH /v1/servers/:name': { status: 422, body: errorBody('VALIDATION_FAILED', message, { field: 'clientKey' }) },
    });
    const { user, form } = await openEdit('main');
    expect(clientCertificate(form)).toHaveAccessibleDescription(/^Only for a server that asks for one/);
    expect(within(form).queryByLabelText('Stop presenting the client certificate')).not.toBeInTheDocument();
    await user.click(within(form).getByLabelText('Client certificate (PEM)'));
    await user.paste(CLIENT_CERT);
    await user.click(within(form).getByLabelText('Client private key (PEM)'));
    await user.paste(CLIENT_KEY);
    await user.click(within(form).getByRole('button', { name: 'Save changes to main' }));
    expect(await within(form).findByText(message)).toBeInTheDocument();
    expect(within(form).getByLabelText('Client private key (PEM)')).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByLabelText('Client certificate (PEM)')).not.toHaveAttribute('aria-invalid');
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
  });
});
