import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ServersPage } from './ServersPage';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';
import { CHECK, CLIENT_CERT, CLIENT_KEY, server } from '../../test/servers';

type User = ReturnType<typeof userEvent.setup>;

async function openForm(user: User) {
  await user.click(await screen.findByRole('button', { name: 'Register a server' }));
  expect(screen.getByRole('form', { name: 'Register a database server' })).toBeInTheDocument();
}

async function fill(user: User, { name = 'eu-2', host = 'eu-2.db.internal', password = 'admin secret' } = {}) {
  await user.type(screen.getByLabelText(/^Name/), name);
  await user.type(screen.getByLabelText(/^Host/), host);
  await user.type(screen.getByLabelText(/^Admin user/), 'tenantry_admin');
  if (password) await user.type(screen.getByLabelText(/^Admin password/), password);
}

/** Chooses `verify-full` and pastes `ca` into the CA field it shows. */
async function chooseVerifyFull(user: User, ca: string) {
  await user.selectOptions(screen.getByLabelText('Connection security'), 'verify-full');
  await user.click(screen.getByLabelText('CA certificate (PEM)'));
  await user.paste(ca);
}

/** Chooses `mode` and pastes what is given into the client certificate fields it shows. */
async function pasteClientCertificate(user: User, mode: 'require' | 'verify-full', { cert = '', key = '' }) {
  await user.selectOptions(screen.getByLabelText('Connection security'), mode);
  for (const [label, pem] of [['Client certificate (PEM)', cert], ['Client private key (PEM)', key]] as const) {
    if (!pem) continue;
    await user.click(screen.getByLabelText(label));
    await user.paste(pem);
  }
}

describe('registering a database server', () => {
  it('checks the fields with the server’s rules before sending', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [] } } });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await user.type(screen.getByLabelText(/^Name/), 'EU 2');
    await user.type(screen.getByLabelText(/^Host/), 'db host');
    const port = screen.getByLabelText(/^Port/);
    await user.clear(port);
    await user.type(port, '70000');
    await user.type(screen.getByLabelText(/^Capacity/), '0');
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    expect(screen.getByText('1–63 characters: a-z, 0-9, `-`, `_`, starting with a letter or digit')).toBeInTheDocument();
    expect(screen.getByText('a host name or IP address')).toBeInTheDocument();
    expect(screen.getByText('1–65535')).toBeInTheDocument();
    expect(screen.getByText('1–100000 tenant databases')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Admin user/)).toHaveAttribute('aria-invalid', 'true');
    expect(api.requests('POST', '/v1/servers')).toHaveLength(0);
  });

  it('makes a tenant-hosted server dedicated', async () => {
    mockApi({ 'GET /v1/servers': { body: { items: [] } } });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await user.selectOptions(screen.getByLabelText('Kind'), 'tenant_hosted');
    expect(screen.getByLabelText('Placement')).toHaveValue('dedicated');
    expect(screen.getByLabelText('Placement')).toBeDisabled();
    expect(screen.getByText(/empty for the default \(1\)/)).toBeInTheDocument();
  });

  it('shows the live check’s reason from details.check and keeps the form filled in', async () => {
    const reason = 'the admin user `tenantry_admin` needs CREATEDB and CREATEROLE (or superuser)';
    const api = mockApi({
      'GET /v1/servers': { body: { items: [] } },
      'POST /v1/servers': { status: 422, body: errorBody('VALIDATION_FAILED', reason, { field: 'server', check: reason }) },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The live check failed; nothing was registered');
    expect(alert).toHaveTextContent(reason);
    expect(alert).toHaveTextContent('VALIDATION_FAILED');
    expect(screen.getByLabelText(/^Name/)).toHaveValue('eu-2');
    expect(api.requests('POST', '/v1/servers')[0]?.body).toEqual({
      name: 'eu-2',
      host: 'eu-2.db.internal',
      port: 5432,
      adminUser: 'tenantry_admin',
      adminPassword: 'admin secret',
      adminDatabase: 'postgres',
      kind: 'platform',
      placement: 'shared',
      tlsMode: 'disable',
    });
  });

  it('shows a field the server refused at that field', async () => {
    mockApi({
      'GET /v1/servers': { body: { items: [] } },
      'POST /v1/servers': { status: 422, body: errorBody('VALIDATION_FAILED', 'host: a host name or IP address', { field: 'host' }) },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    await user.click(screen.getByRole('button', { name: 'Check and register' }));
    expect(await screen.findByText('host: a host name or IP address')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Host/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('registers, closes the form, says what the check found and lists the server', async () => {
    const items: ReturnType<typeof server>[] = [];
    const api = mockApi({
      'GET /v1/servers': () => ({ body: { items } }),
      'POST /v1/servers': () => {
        const created = server('eu-2', { tenants: 0, capacity: 50 });
        items.push(created);
        return { status: 201, body: { server: created, check: CHECK } };
      },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    expect(await screen.findByText('No database servers are registered.')).toBeInTheDocument();
    await openForm(user);
    await fill(user, { password: '' });
    await user.type(screen.getByLabelText(/^Capacity/), '50');
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    expect(await screen.findByText(/Registered eu-2: it passed its live check. 16.4, TLS/)).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Register a database server' })).not.toBeInTheDocument();
    expect(await screen.findByText('0 of 50')).toBeInTheDocument();
    const body = api.requests('POST', '/v1/servers')[0]?.body;
    expect(body).toMatchObject({ capacity: 50 });
    expect(body).not.toHaveProperty('adminPassword');
  });
});

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2E=\n-----END CERTIFICATE-----';

describe('a database server’s connection security', () => {
  it('sends verify-full with the pasted CA bundle', async () => {
    const api = mockApi({
      'GET /v1/servers': { body: { items: [] } },
      'POST /v1/servers': { status: 201, body: { server: server('eu-2', { tlsMode: 'verify-full', tlsCaRegistered: true }), check: CHECK } },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    expect(screen.getByLabelText('Connection security')).toHaveValue('disable');
    expect(screen.queryByLabelText('CA certificate (PEM)')).not.toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Connection security'), 'verify-full');
    const ca = screen.getByLabelText('CA certificate (PEM)');
    expect(ca).toHaveAccessibleDescription(/Empty: the control plane's trusted roots/);
    await user.click(ca);
    await user.paste(PEM);
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    expect(await screen.findByText(/Registered eu-2/)).toBeInTheDocument();
    expect(api.requests('POST', '/v1/servers')[0]?.body).toMatchObject({ tlsMode: 'verify-full', caCertificate: PEM });
  });

  it('leaves the CA bundle out for another mode', async () => {
    const api = mockApi({
      'GET /v1/servers': { body: { items: [] } },
      'POST /v1/servers': { status: 201, body: { server: server('eu-2', { tlsMode: 'require' }), check: CHECK } },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    await chooseVerifyFull(user, 'not a certificate');
    await user.selectOptions(screen.getByLabelText('Connection security'), 'require');
    expect(screen.queryByLabelText('CA certificate (PEM)')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    expect(await screen.findByText(/Registered eu-2/)).toBeInTheDocument();
    const body = api.requests('POST', '/v1/servers')[0]?.body;
    expect(body).toMatchObject({ tlsMode: 'require' });
    expect(body).not.toHaveProperty('caCertificate');
  });

  it('checks that the CA bundle is PEM before sending', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [] } } });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    await chooseVerifyFull(user, 'MIIBszCCAVmgAwIBAgIUY2E=');
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    const ca = screen.getByLabelText('CA certificate (PEM)');
    expect(ca).toHaveAttribute('aria-invalid', 'true');
    expect(ca).toHaveAccessibleDescription(/a PEM CA bundle/);
    expect(api.requests('POST', '/v1/servers')).toHaveLength(0);
  });

  it('shows a CA bundle the server refused at that field', async () => {
    const message = 'caCertificate: no certificate found in the PEM';
    mockApi({
      'GET /v1/servers': { body: { items: [] } },
      'POST /v1/servers': { status: 422, body: errorBody('VALIDATION_FAILED', message, { field: 'caCertificate' }) },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    await chooseVerifyFull(user, PEM);
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(screen.getByLabelText('CA certificate (PEM)')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('a client certificate for a server that asks for one', () => {
  const registered = { status: 201, body: { server: server('eu-2', { tlsMode: 'require', tlsClientCertificate: true }), check: CHECK } };

  it('offers it with a TLS mode only and sends the certificate with its key', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [] } }, 'POST /v1/servers': registered });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    expect(screen.queryByRole('group', { name: 'Client certificate' })).not.toBeInTheDocument();
    await pasteClientCertificate(user, 'require', { cert: CLIENT_CERT, key: CLIENT_KEY });
    expect(screen.getByRole('group', { name: 'Client certificate' })).toHaveAccessibleDescription(
      "Only for a server that asks for one (clientcert= in its pg_hba.conf). The key is kept in the platform's secret store and never shown again.",
    );
    const key = screen.getByLabelText('Client private key (PEM)');
    expect(key).toHaveAttribute('autocomplete', 'off');
    expect(key).toHaveAttribute('spellcheck', 'false');
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    expect(await screen.findByText(/Registered eu-2/)).toBeInTheDocument();
    expect(api.requests('POST', '/v1/servers')[0]?.body).toMatchObject({
      tlsMode: 'require',
      clientCertificate: CLIENT_CERT,
      clientKey: CLIENT_KEY,
    });
  });

  it('refuses a key without its certificate before sending', async () => {
    const api = mockApi({ 'GET /v1/servers': { body: { items: [] } }, 'POST /v1/servers': registered });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    await pasteClientCertificate(user, 'verify-full', { key: CLIENT_KEY });
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    const cert = screen.getByLabelText('Client certificate (PEM)');
    expect(cert).toHaveAttribute('aria-invalid', 'true');
    expect(cert).toHaveAccessibleDescription(/a key needs its client certificate/);
    expect(screen.getByLabelText('Client private key (PEM)')).not.toHaveAttribute('aria-invalid');
    expect(api.requests('POST', '/v1/servers')).toHaveLength(0);
  });

  it('leaves the certificate and key out when the mode goes back to disable', async () => {
    const api = mockApi({
      'GET /v1/servers': { body: { items: [] } },
      'POST /v1/servers': { status: 201, body: { server: server('eu-2'), check: CHECK } },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    // A half-filled pair too: with no TLS it is neither checked nor sent.
    await pasteClientCertificate(user, 'require', { cert: CLIENT_CERT });
    await user.selectOptions(screen.getByLabelText('Connection security'), 'disable');
    expect(screen.queryByLabelText('Client certificate (PEM)')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    expect(await screen.findByText(/Registered eu-2/)).toBeInTheDocument();
    const body = api.requests('POST', '/v1/servers')[0]?.body;
    expect(body).toMatchObject({ tlsMode: 'disable' });
    expect(body).not.toHaveProperty('clientCertificate');
    expect(body).not.toHaveProperty('clientKey');
  });

  it('shows a key the server refused at the key field', async () => {
    const message = 'the client certificate and key: the key does not belong to the certificate';
    mockApi({
      'GET /v1/servers': { body: { items: [] } },
      'POST /v1/servers': { status: 422, body: errorBody('VALIDATION_FAILED', message, { field: 'clientKey' }) },
    });
    const user = userEvent.setup();
    renderConsole(<ServersPage />);
    await openForm(user);
    await fill(user);
    await pasteClientCertificate(user, 'require', { cert: CLIENT_CERT, key: CLIENT_KEY });
    await user.click(screen.getByRole('button', { name: 'Check and register' }));

    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(screen.getByLabelText('Client private key (PEM)')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Client private key (PEM)')).toHaveAccessibleDescription(new RegExp(message));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
