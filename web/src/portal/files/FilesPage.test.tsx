import { beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FilesPage } from './FilesPage';
import { startDownload } from './startDownload';
import { renderPortal } from '../../test/render';
import { STAFF, STATUS, VIEWER, file } from '../../test/files';
import { errorBody, mockApi } from '../../test/fetchMock';

vi.mock('./startDownload', () => ({ startDownload: vi.fn() }));

const SIGNED = {
  url: 'http://acme.localhost:8081/v1/files-signed/reports/q1.txt?expires=1&by=u&sig=s',
  method: 'GET',
  expiresAt: '2026-01-02T10:15:00Z',
  servedBy: 'tenantPlane',
};

beforeEach(() => vi.mocked(startDownload).mockClear());

describe('files page: list', () => {
  it('shows the storage status and the files with key, size, type and update time', async () => {
    mockApi({
      'GET /v1/storage': { body: STATUS },
      'GET /v1/files': { body: { items: [file('reports/q1.txt', 2048), file('logo.png', 5, 'image/png')], nextCursor: null } },
    });
    renderPortal(<FilesPage />, { me: STAFF });
    const row = (await screen.findByRole('cell', { name: 'reports/q1.txt' })).closest('tr');
    expect(row).not.toBeNull();
    expect(within(row as HTMLElement).getByText('2 KiB')).toBeInTheDocument();
    expect(within(row as HTMLElement).getByText('text/plain')).toBeInTheDocument();
    expect(screen.getByTestId('storage-usage')).toHaveTextContent('1.5 KiB of 1 GiB used (< 0.1 %)');
    expect(screen.getByText('25 MiB')).toBeInTheDocument();
    expect(screen.getByText(/Encrypted with this workspace’s own key/)).toBeInTheDocument();
    expect(screen.queryByTestId('storage-degraded')).not.toBeInTheDocument();
  });

  it('says so when there are no files, and when none match the filter', async () => {
    const api = mockApi({
      'GET /v1/storage': { body: STATUS },
      'GET /v1/files': { body: { items: [], nextCursor: null } },
    });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    expect(await screen.findByText('No files yet. Upload one above.')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Key starts with'), 'reports/');
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    expect(await screen.findByText(/No file keys start with/)).toHaveTextContent('No file keys start with reports/.');
    expect(api.requests('GET', '/v1/files').at(-1)?.query.get('prefix')).toBe('reports/');
  });

  it('pages with the cursor the API gives', async () => {
    const api = mockApi({
      'GET /v1/storage': { body: STATUS },
      'GET /v1/files': (req) =>
        req.query.get('cursor') === 'a.txt'
          ? { body: { items: [file('b.txt')], nextCursor: null } }
          : { body: { items: [file('a.txt')], nextCursor: 'a.txt' } },
    });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await screen.findByRole('cell', { name: 'a.txt' });
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByRole('cell', { name: 'b.txt' })).toBeInTheDocument();
    expect(api.requests('GET', '/v1/files').at(-1)?.query.get('cursor')).toBe('a.txt');
    expect(api.requests('GET', '/v1/files').at(-1)?.query.get('limit')).toBe('50');
  });

  it('shows the API’s error when the list or the status cannot be loaded', async () => {
    mockApi({
      'GET /v1/storage': { status: 503, body: errorBody('STORAGE_NOT_CONFIGURED', 'the platform has no storage configured') },
      'GET /v1/files': { status: 403, body: errorBody('FORBIDDEN', 'you lack the permission files.read') },
    });
    renderPortal(<FilesPage />, { me: STAFF });
    expect(await screen.findByText('you lack the permission files.read')).toBeInTheDocument();
    expect(await screen.findByText('the platform has no storage configured')).toBeInTheDocument();
    expect(screen.getByText('The files could not be loaded')).toBeInTheDocument();
    expect(screen.getByText('STORAGE_NOT_CONFIGURED')).toBeInTheDocument();
  });

  it('warns while the storage is degraded, with the number of files waiting', async () => {
    mockApi({
      'GET /v1/storage': { body: { ...STATUS, primary: 'nas', fallback: 'platform', degraded: true, queueLength: 3 } },
      'GET /v1/files': { body: { items: [], nextCursor: null } },
    });
    renderPortal(<FilesPage />, { me: STAFF });
    const warning = await screen.findByTestId('storage-degraded');
    expect(warning).toHaveTextContent('Storage degraded — 3 files waiting to reach the primary.');
    expect(warning).toHaveTextContent('a network share (NAS)');
    expect(screen.getByText(/with the platform’s storage as the fallback/)).toBeInTheDocument();
  });
});

describe('files page: actions', () => {
  it('gives viewers no upload and no delete, but downloads and links', async () => {
    mockApi({
      'GET /v1/storage': { body: STATUS },
      'GET /v1/files': { body: { items: [file('a.txt')], nextCursor: null } },
    });
    renderPortal(<FilesPage />, { me: VIEWER });
    await screen.findByRole('cell', { name: 'a.txt' });
    expect(screen.queryByRole('heading', { name: 'Upload a file' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Download a.txt' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy signed link a.txt' })).toBeInTheDocument();
  });

  it('deletes after a confirmation, keeping the slashes of the key in the path', async () => {
    const items = [file('reports/q 1.txt')];
    const api = mockApi({
      'GET /v1/storage': { body: STATUS },
      'GET /v1/files': () => ({ body: { items, nextCursor: null } }),
      'DELETE /v1/files/reports/q%201.txt': () => {
        items.pop();
        return { status: 204 };
      },
    });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: STAFF });
    await user.click(await screen.findByRole('button', { name: 'Delete reports/q 1.txt' }));
    expect(screen.getByText(/for good\?/)).toBeInTheDocument();
    const confirm = screen.getByRole('button', { name: 'Yes, delete reports/q 1.txt' });
    expect(confirm).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(api.requests('DELETE', '/v1/files/reports/q%201.txt')).toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Delete reports/q 1.txt' })).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Delete reports/q 1.txt' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete reports/q 1.txt' }));
    expect(await screen.findByText('No files yet. Upload one above.')).toBeInTheDocument();
    expect(api.requests('DELETE', '/v1/files/reports/q%201.txt')).toHaveLength(1);
    expect(screen.getByText(/^Deleted/)).toHaveTextContent('Deleted reports/q 1.txt.');
  });

  it('makes a 15-minute signed link and shows it with a copy button', async () => {
    const api = mockApi({
      'GET /v1/storage': { body: STATUS },
      'GET /v1/files': { body: { items: [file('reports/q1.txt')], nextCursor: null } },
      'POST /v1/files-signed': { status: 201, body: SIGNED },
    });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: VIEWER });
    await user.click(await screen.findByRole('button', { name: 'Copy signed link reports/q1.txt' }));
    const panel = await screen.findByRole('region', { name: 'Signed link for reports/q1.txt' });
    expect(within(panel).getByTestId('signed-url')).toHaveTextContent(SIGNED.url);
    expect(within(panel).getByText('Copied to the clipboard.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(SIGNED.url);
    expect(api.requests('POST', '/v1/files-signed')[0]?.body).toEqual({ key: 'reports/q1.txt', method: 'GET', expiresIn: 900 });
    await user.click(within(panel).getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('signed-url')).not.toBeInTheDocument();
  });

  it('downloads through a short signed URL, saved under the file’s name', async () => {
    const api = mockApi({
      'GET /v1/storage': { body: STATUS },
      'GET /v1/files': { body: { items: [file('reports/q1.txt')], nextCursor: null } },
      'POST /v1/files-signed': { status: 201, body: SIGNED },
    });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: VIEWER });
    await user.click(await screen.findByRole('button', { name: 'Download reports/q1.txt' }));
    await waitFor(() => expect(startDownload).toHaveBeenCalledWith(SIGNED.url, 'q1.txt'));
    expect(api.requests('POST', '/v1/files-signed')[0]?.body).toEqual({ key: 'reports/q1.txt', method: 'GET', expiresIn: 60 });
  });

  it('shows a download’s error on the file’s row', async () => {
    mockApi({
      'GET /v1/storage': { body: STATUS },
      'GET /v1/files': { body: { items: [file('gone.txt')], nextCursor: null } },
      'POST /v1/files-signed': { status: 404, body: errorBody('NOT_FOUND', 'file not found') },
    });
    const user = userEvent.setup();
    renderPortal(<FilesPage />, { me: VIEWER });
    await user.click(await screen.findByRole('button', { name: 'Download gone.txt' }));
    const row = screen.getByRole('cell', { name: 'gone.txt' }).closest('tr') as HTMLElement;
    expect(await within(row).findByRole('alert')).toHaveTextContent('file not found');
    expect(startDownload).not.toHaveBeenCalled();
  });
});
