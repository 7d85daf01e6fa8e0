import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StorageForm } from './StorageForm';
import { StorageSection } from './StorageSection';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';

const TENANT = '0192f000-0000-7000-8000-0000000000a1';
const PATH = `/v1/tenants/${TENANT}/storage`;

const S3_VIEW = {
  primary: { kind: 's3', endpoint: 'https://minio.acme.test', region: 'eu-west-1', bucket: 'acme-files', pathStyle: true, accessKeyId: 'AKIA1', serverSideEncryption: null },
  fallback: null,
  encrypted: false,
  health: 'ok',
  healthDetail: null,
  checkedAt: '2026-01-02T10:00:00Z',
};

const NAS_VIEW = { primary: { kind: 'nas', root: '/mnt/acme' }, fallback: null, encrypted: true, health: 'ok', checkedAt: '2026-01-02T10:00:00Z' };

function group(name: string) {
  return screen.getByRole('group', { name });
}

describe('storage form: fields per kind', () => {
  it('shows the fields each kind needs, with a write-only secret', async () => {
    mockApi({});
    const user = userEvent.setup();
    renderConsole(<StorageForm tenant={TENANT} current={null} onSaved={() => undefined} />);
    const primary = group('Primary backend');
    const kind = within(primary).getByLabelText('Kind');
    expect(kind).toHaveValue('nas');
    expect(within(primary).getByLabelText(/^Mount path/)).toBeInTheDocument();
    expect(screen.getByLabelText('Encrypt files with the tenant’s key')).toBeChecked();

    await user.selectOptions(kind, 's3');
    expect(within(primary).queryByLabelText(/^Mount path/)).not.toBeInTheDocument();
    for (const label of [/^Endpoint/, /^Region/, /^Bucket/, 'Path-style addressing', /^Access key id/, 'Server-side encryption']) {
      expect(within(primary).getByLabelText(label)).toBeInTheDocument();
    }
    const secret = within(primary).getByLabelText(/^Secret access key/);
    expect(secret).toHaveAttribute('type', 'password');
    expect(secret).toHaveValue('');
    // Encryption follows the kind until the operator sets it.
    expect(screen.getByLabelText('Encrypt files with the tenant’s key')).not.toBeChecked();

    await user.selectOptions(kind, 'azure');
    expect(within(primary).getByLabelText(/^Account \*?$/)).toBeInTheDocument();
    expect(within(primary).getByLabelText(/^Container/)).toBeInTheDocument();
    expect(within(primary).getByLabelText(/^Account key/)).toHaveAttribute('type', 'password');
    await user.selectOptions(within(primary).getByLabelText('Authentication'), 'sas');
    expect(within(primary).getByLabelText(/^SAS token/)).toBeInTheDocument();

    await user.selectOptions(kind, 'platform');
    expect(within(primary).getByText('The platform’s own storage: nothing to configure.')).toBeInTheDocument();
  });

  it('adds a fallback group when asked', async () => {
    mockApi({});
    const user = userEvent.setup();
    renderConsole(<StorageForm tenant={TENANT} current={null} onSaved={() => undefined} />);
    expect(screen.queryByRole('group', { name: 'Fallback backend' })).not.toBeInTheDocument();
    await user.click(screen.getByLabelText('Add a fallback backend'));
    expect(within(group('Fallback backend')).getByLabelText('Kind')).toHaveValue('platform');
  });

  it('checks the fields before asking the server', async () => {
    const api = mockApi({});
    const user = userEvent.setup();
    renderConsole(<StorageForm tenant={TENANT} current={null} onSaved={() => undefined} />);
    await user.selectOptions(within(group('Primary backend')).getByLabelText('Kind'), 's3');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    expect(screen.getByText('`` is not a valid bucket name')).toBeInTheDocument();
    expect(within(group('Primary backend')).getByLabelText(/^Secret access key/)).toHaveAttribute('aria-invalid', 'true');
    expect(api.requests('PUT', PATH)).toHaveLength(0);
  });
});

describe('storage form: the live check', () => {
  it('shows a failed check at the backend the server names', async () => {
    let field = 'fallback';
    mockApi({
      [`PUT ${PATH}`]: () => ({
        status: 422,
        body: errorBody('VALIDATION_FAILED', `${field}: the probe write failed: connection refused`, { field }),
      }),
    });
    const user = userEvent.setup();
    renderConsole(<StorageForm tenant={TENANT} current={null} onSaved={() => undefined} />);
    await user.type(screen.getByLabelText(/^Mount path/), '/mnt/acme');
    await user.click(screen.getByLabelText('Add a fallback backend'));
    await user.selectOptions(within(group('Fallback backend')).getByLabelText('Kind'), 'nas');
    await user.type(within(group('Fallback backend')).getByLabelText(/^Mount path/), '/mnt/spare');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));

    const fallbackAlert = await within(group('Fallback backend')).findByRole('alert');
    expect(fallbackAlert).toHaveTextContent('fallback: the probe write failed: connection refused');
    expect(within(group('Primary backend')).queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getAllByRole('alert')).toHaveLength(1);

    field = 'primary';
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    expect(await within(group('Primary backend')).findByRole('alert')).toHaveTextContent('primary: the probe write failed');
    expect(within(group('Fallback backend')).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows other refusals above the form', async () => {
    mockApi({
      [`PUT ${PATH}`]: {
        status: 409,
        body: errorBody('INVALID_STATE', 'the tenant has 3 files on its current primary; moving them is not supported yet'),
      },
    });
    const user = userEvent.setup();
    renderConsole(<StorageForm tenant={TENANT} current={null} onSaved={() => undefined} />);
    await user.type(screen.getByLabelText(/^Mount path/), '/mnt/acme');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The storage was not changed');
    expect(alert).toHaveTextContent('3 files on its current primary');
  });
});

describe('tenant page: storage section', () => {
  it('says when no storage is configured (404)', async () => {
    mockApi({ [`GET ${PATH}`]: { status: 404, body: errorBody('NOT_FOUND', 'storage config not found') } });
    renderConsole(<StorageSection tenant={TENANT} live />);
    expect(await screen.findByText('No storage is configured for this tenant.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Register a tenant-hosted backend' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows the backends and the last health check', async () => {
    mockApi({
      [`GET ${PATH}`]: {
        body: { ...NAS_VIEW, fallback: { kind: 'platform' }, health: 'degraded', healthDetail: 'primary: no such directory' },
      },
    });
    renderConsole(<StorageSection tenant={TENANT} live />);
    const facts = await screen.findByTestId('storage-facts');
    expect(facts).toHaveTextContent('NAS mount at /mnt/acme');
    expect(facts).toHaveTextContent('the platform’s storage');
    expect(within(facts).getByText('degraded')).toHaveClass('badge-warn');
    expect(facts).toHaveTextContent('primary: no such directory');
    expect(facts).toHaveTextContent('yes, with the tenant’s key');
  });

  it('changes a backend keeping the stored secret: never shown, not sent when left empty', async () => {
    const api = mockApi({
      [`GET ${PATH}`]: { body: S3_VIEW },
      [`PUT ${PATH}`]: (req) => ({ body: { ...S3_VIEW, primary: (req.body as { primary: unknown }).primary, checkedAt: '2026-01-03T10:00:00Z' } }),
    });
    const user = userEvent.setup();
    renderConsole(<StorageSection tenant={TENANT} live />);
    await user.click(await screen.findByRole('button', { name: 'Change the storage backends' }));
    const primary = group('Primary backend');
    const secret = within(primary).getByLabelText(/^Secret access key/);
    expect(secret).toHaveValue('');
    expect(within(primary).getByText(/A secret is stored/)).toBeInTheDocument();
    const bucket = within(primary).getByLabelText(/^Bucket/);
    expect(bucket).toHaveValue('acme-files');
    await user.clear(bucket);
    await user.type(bucket, 'acme-files-2');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));

    expect(await screen.findByText('The backends passed their live check and are in use now.')).toBeInTheDocument();
    const body = api.requests('PUT', PATH)[0]?.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('secrets');
    expect(body.primary).toEqual({ ...S3_VIEW.primary, bucket: 'acme-files-2' });
    expect(screen.getByTestId('storage-facts')).toHaveTextContent('S3 bucket acme-files-2');
    expect(screen.getByRole('button', { name: 'Change the storage backends' })).toHaveFocus();
  });

  it('sends a typed secret once and forgets it', async () => {
    const api = mockApi({
      [`GET ${PATH}`]: { status: 404, body: errorBody('NOT_FOUND', 'storage config not found') },
      [`PUT ${PATH}`]: { body: { ...S3_VIEW, primary: { ...S3_VIEW.primary, endpoint: null } } },
    });
    const user = userEvent.setup();
    renderConsole(<StorageSection tenant={TENANT} live />);
    await user.click(await screen.findByRole('button', { name: 'Register a tenant-hosted backend' }));
    const primary = group('Primary backend');
    await user.selectOptions(within(primary).getByLabelText('Kind'), 's3');
    await user.type(within(primary).getByLabelText(/^Region/), 'eu-west-1');
    await user.type(within(primary).getByLabelText(/^Bucket/), 'acme-files');
    await user.type(within(primary).getByLabelText(/^Access key id/), 'AKIA1');
    await user.type(within(primary).getByLabelText(/^Secret access key/), 'very secret');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    await screen.findByText('The backends passed their live check and are in use now.');
    expect(api.requests('PUT', PATH)[0]?.body).toMatchObject({ secrets: { primary: 'very secret' }, encrypted: false });
    expect(document.body).not.toHaveTextContent('very secret');
    await user.click(screen.getByRole('button', { name: 'Change the storage backends' }));
    expect(within(group('Primary backend')).getByLabelText(/^Secret access key/)).toHaveValue('');
  });
});
