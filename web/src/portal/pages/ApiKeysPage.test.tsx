import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiKeysPage } from './ApiKeysPage';
import { renderPortal } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';

const SECRET = 'tk_0192f00000007000800000000000000001_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
const KEY = {
  id: '0192f000-0000-7000-8000-0000000000k1',
  name: 'reporting',
  hint: 'tk_…LMNOPQ',
  scopes: ['audit.read'],
  createdAt: '2026-01-01T00:00:00Z',
};

describe('API keys', () => {
  it('shows a new key’s secret once, with a copy button, and never again', async () => {
    const keys: (typeof KEY)[] = [];
    const api = mockApi({
      'GET /v1/api-keys': () => ({ body: { items: keys } }),
      'POST /v1/api-keys': () => {
        keys.push(KEY);
        return { status: 201, body: { ...KEY, secret: SECRET } };
      },
    });
    const user = userEvent.setup();
    renderPortal(<ApiKeysPage />);
    expect(await screen.findByText('No API keys yet.')).toBeInTheDocument();

    await user.type(screen.getByLabelText(/^Name/), 'reporting');
    await user.click(screen.getByRole('checkbox', { name: 'audit.read' }));
    await user.click(screen.getByRole('button', { name: 'Create key' }));

    const shown = await screen.findByRole('region', { name: /API key “reporting” created/ });
    expect(within(shown).getByTestId('shown-once-secret')).toHaveTextContent(SECRET);
    expect(within(shown).getByRole('button', { name: 'Copy' })).toBeInTheDocument();
    expect(shown).toHaveFocus();
    expect(api.requests('POST', '/v1/api-keys')[0]?.body).toEqual({ name: 'reporting', scopes: ['audit.read'], expiresAt: null });
    expect(api.requests('POST', '/v1/api-keys')[0]?.headers.get('authorization')).toBe('Bearer access-1');

    await user.click(within(shown).getByRole('button', { name: 'Copy' }));
    expect(await within(shown).findByText('Copied.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(SECRET);

    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
    expect(await screen.findByText('tk_…LMNOPQ')).toBeInTheDocument();
  });

  it('asks for a name and a scope before creating', async () => {
    const api = mockApi({ 'GET /v1/api-keys': { body: { items: [] } } });
    const user = userEvent.setup();
    renderPortal(<ApiKeysPage />);
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(screen.getByText('must not be empty')).toBeInTheDocument();
    expect(screen.getByText('choose at least one scope')).toBeInTheDocument();
    expect(api.requests('POST', '/v1/api-keys')).toHaveLength(0);
  });

  it('revokes a key and shows the server’s error when it cannot', async () => {
    mockApi({
      'GET /v1/api-keys': { body: { items: [KEY] } },
      'DELETE /v1/api-keys/:id': { status: 403, body: errorBody('FORBIDDEN', 'you may not do this') },
    });
    const user = userEvent.setup();
    renderPortal(<ApiKeysPage />);
    await user.click(await screen.findByRole('button', { name: 'Revoke reporting' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('you may not do this');
  });
});
