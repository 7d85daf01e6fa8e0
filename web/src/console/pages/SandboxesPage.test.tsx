import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SandboxesPage } from './SandboxesPage';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';

const SANDBOX = {
  id: '0192f000-0000-7000-8000-0000000000s1',
  slug: 'sbx-k3x9q2',
  displayName: 'Sandbox 4711',
  status: 'active',
  url: 'http://sbx-k3x9q2.localhost:8081',
  createdAt: '2026-01-01T00:00:00Z',
  expiresAt: '2026-01-01T00:30:00Z',
};

describe('sandboxes', () => {
  it('lists live sandboxes and removes one after a confirmation', async () => {
    const api = mockApi({
      'GET /v1/sandboxes': { body: { items: [SANDBOX] } },
      'DELETE /v1/sandboxes/:sandbox': { status: 204 },
    });
    const user = userEvent.setup();
    renderConsole(<SandboxesPage />);
    expect(await screen.findByRole('link', { name: SANDBOX.url })).toHaveAttribute('href', SANDBOX.url);
    expect(screen.getByText('Sandbox 4711')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: `Remove ${SANDBOX.slug}` }));
    await user.click(screen.getByRole('button', { name: `Yes, remove ${SANDBOX.slug}` }));
    expect(await screen.findByText(`Removed ${SANDBOX.slug}.`)).toBeInTheDocument();
    expect(screen.getByText('No live sandboxes.')).toBeInTheDocument();
    expect(api.requests('DELETE', `/v1/sandboxes/${SANDBOX.slug}`)).toHaveLength(1);
  });

  it('shows the server’s message when removing fails', async () => {
    mockApi({
      'GET /v1/sandboxes': { body: { items: [SANDBOX] } },
      'DELETE /v1/sandboxes/:sandbox': { status: 404, body: errorBody('NOT_FOUND', 'sandbox not found') },
    });
    const user = userEvent.setup();
    renderConsole(<SandboxesPage />);
    await user.click(await screen.findByRole('button', { name: `Remove ${SANDBOX.slug}` }));
    await user.click(screen.getByRole('button', { name: `Yes, remove ${SANDBOX.slug}` }));
    expect(await screen.findByRole('alert')).toHaveTextContent('sandbox not found');
  });
});
