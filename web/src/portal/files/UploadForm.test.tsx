import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FilesPage } from './FilesPage';
import { renderPortal } from '../../test/render';
import { STAFF, STATUS, file } from '../../test/files';
import { installFakeXhr } from '../../test/fakeXhr';
import { detectBase } from '../base';
import { errorBody, mockApi, type Handler, type Reply } from '../../test/fetchMock';

const NOTES = new File(['hello, files'], 'notes.txt', { type: 'text/plain' });

function routes(upload: Handler | Reply, items: ReturnType<typeof file>[] = []) {
  return mockApi({
    'GET /v1/storage': { body: STATUS },
    'GET /v1/files': () => ({ body: { items, nextCursor: null } }),
    'PUT /v1/files/:key': upload,
    'PUT /v1/files/:folder/:key': upload,
  });
}

async function chooseAndUpload(user: ReturnType<typeof userEvent.setup>, chosen: File = NOTES) {
  await screen.findByRole('heading', { name: 'Upload a file' });
  await user.upload(screen.getByLabelText('File'), chosen);
  await user.click(screen.getByRole('button', { name: 'Upload' }));
}

describe('upload', () => {
  it('PUTs the file as the body with its type and the bearer token, then lists it', async () => {
    installFakeXhr();
    const items: ReturnType<typeof file>[] = [];
    const api = routes(() => {
      items.push(file('notes.txt', 12));
      return { status: 201, body: file('notes.txt', 12) };
    }, items);
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await screen.findByText('No files yet. Upload one above.');
    await user.upload(screen.getByLabelText('File'), NOTES);
    expect(screen.getByLabelText('Key')).toHaveValue('notes.txt');
    await user.click(screen.getByRole('button', { name: 'Upload' }));

    expect(await screen.findByText(/^Uploaded/)).toHaveTextContent('Uploaded notes.txt (12 bytes).');
    const [put] = api.requests('PUT', '/v1/files/notes.txt');
    expect(put?.body).toBe('hello, files');
    expect(put?.headers.get('content-type')).toBe('text/plain');
    expect(put?.headers.get('authorization')).toBe('Bearer access-1');
    expect(await screen.findByRole('button', { name: 'Download notes.txt' })).toBeInTheDocument();
    expect(screen.getByLabelText('Key')).toHaveValue('');
  });

  it('sends the upload under /t/<slug> when the portal is path-routed', async () => {
    installFakeXhr();
    const api = mockApi({
      'GET /t/acme/v1/storage': { body: STATUS },
      'GET /t/acme/v1/files': { body: { items: [], nextCursor: null } },
      'PUT /t/acme/v1/files/:key': { status: 201, body: file('notes.txt', 12) },
    });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF, base: detectBase('/t/acme/files') });
    await chooseAndUpload(user);
    await screen.findByText(/^Uploaded/);
    const [put] = api.requests('PUT', '/t/acme/v1/files/notes.txt');
    expect(put?.headers.get('authorization')).toBe('Bearer access-1');
  });

  it('puts a new file in the folder the list is filtered to', async () => {
    installFakeXhr();
    const api = routes({ status: 201, body: file('reports/notes.txt') });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await user.type(screen.getByLabelText('Key starts with'), 'reports/');
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    await chooseAndUpload(user);
    await screen.findByText(/^Uploaded/);
    expect(api.requests('PUT', '/v1/files/reports/notes.txt')).toHaveLength(1);
  });

  it('explains a file over the plan’s upload limit (413 PAYLOAD_TOO_LARGE)', async () => {
    installFakeXhr();
    routes({ status: 413, body: errorBody('PAYLOAD_TOO_LARGE', 'the file exceeds 26214400 bytes') });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await screen.findByText('25 MiB');
    await chooseAndUpload(user);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The file is larger than this workspace’s upload limit of 25 MiB.');
    expect(alert).toHaveTextContent('the file exceeds 26214400 bytes');
    expect(alert).toHaveTextContent('PAYLOAD_TOO_LARGE');
  });

  it('explains a full quota (413 QUOTA_EXCEEDED)', async () => {
    installFakeXhr();
    routes({ status: 413, body: errorBody('QUOTA_EXCEEDED', 'the tenant’s storage quota of 1073741824 bytes is used up') });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await chooseAndUpload(user);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The workspace’s storage is full: delete files to make room, or move to a larger plan.');
    expect(alert).toHaveTextContent('quota of 1073741824 bytes is used up');
  });

  it('refuses a file over the limit before sending it', async () => {
    installFakeXhr();
    const api = mockApi({
      'GET /v1/storage': { body: { ...STATUS, maxUploadBytes: 4 } },
      'GET /v1/files': { body: { items: [], nextCursor: null } },
    });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await screen.findByText('4 bytes');
    await chooseAndUpload(user);
    expect(screen.getByText('the file is 12 bytes; the upload limit is 4 bytes')).toBeInTheDocument();
    expect(screen.getByLabelText('File')).toHaveAttribute('aria-invalid', 'true');
    expect(api.requests('PUT', '/v1/files/notes.txt')).toHaveLength(0);
  });

  it('checks the key like the server, and shows the server’s key error at the field', async () => {
    installFakeXhr();
    const api = routes({ status: 422, body: errorBody('VALIDATION_FAILED', 'key: reserved name', { field: 'key' }) });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await screen.findByRole('heading', { name: 'Upload a file' });
    await user.upload(screen.getByLabelText('File'), NOTES);
    await user.clear(screen.getByLabelText('Key'));
    await user.type(screen.getByLabelText('Key'), 'a/../b');
    await user.click(screen.getByRole('button', { name: 'Upload' }));
    expect(screen.getByText("'.' and '..' segments are not allowed")).toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === 'PUT')).toHaveLength(0);

    await user.clear(screen.getByLabelText('Key'));
    await user.type(screen.getByLabelText('Key'), 'fine.txt');
    await user.click(screen.getByRole('button', { name: 'Upload' }));
    expect(await screen.findByText('key: reserved name')).toBeInTheDocument();
    expect(screen.getByLabelText('Key')).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows progress while sending and can cancel', async () => {
    let release: () => void = () => undefined;
    installFakeXhr({ gate: new Promise<void>((r) => (release = r)) });
    const api = routes({ status: 201, body: file('notes.txt') });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await chooseAndUpload(user);
    expect(await screen.findByText('Uploading… 6 bytes of 12 bytes (50 %)')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute('value', '6');
    await user.click(screen.getByRole('button', { name: 'Cancel upload' }));
    expect(await screen.findByText('The upload was cancelled; nothing was stored.')).toBeInTheDocument();
    release();
    expect(api.calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
  });
});
