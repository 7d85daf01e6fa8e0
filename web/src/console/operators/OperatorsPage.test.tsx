import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OperatorsPage } from './OperatorsPage';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';

const ME = { id: 'op-1', email: 'ops@example.com', createdAt: '2026-01-01T00:00:00Z', lastLoginAt: '2026-01-02T09:00:00Z' };
const TOKEN = 'tnt_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefgh';
const LISTED = {
  id: '0192f000-0000-7000-8000-0000000000t1',
  name: 'acme-app CI',
  hint: 'tnt_…efgh',
  scope: 'sandbox',
  operatorId: 'op-1',
  createdAt: '2026-01-03T00:00:00Z',
  expiresAt: null,
  lastUsedAt: null,
};

function routes(extra: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    'GET /v1/operators': { body: { items: [ME] } },
    'GET /v1/api-tokens': { body: { items: [] } },
    ...extra,
  });
}

function addOperatorForm() {
  return screen.getByRole('form', { name: 'Add an operator' });
}

describe('operators', () => {
  it('lists the operators and marks you', async () => {
    routes();
    renderConsole(<OperatorsPage />);
    expect(await screen.findByText('ops@example.com')).toBeInTheDocument();
    expect(screen.getByText('(you)')).toBeInTheDocument();
  });

  it('checks the new operator’s e-mail and passwords before sending', async () => {
    const api = routes();
    const user = userEvent.setup();
    renderConsole(<OperatorsPage />);
    const form = addOperatorForm();
    await user.type(within(form).getByLabelText(/^E-mail/), 'ana');
    await user.type(within(form).getByLabelText(/^Password \*?$/), 'short');
    await user.type(within(form).getByLabelText(/^Password again/), 'shorter');
    await user.click(within(form).getByRole('button', { name: 'Add operator' }));
    expect(within(form).getByText('is not a valid e-mail address')).toBeInTheDocument();
    expect(within(form).getByText('must be at least 12 characters')).toBeInTheDocument();
    expect(within(form).getByText('the two passwords differ')).toBeInTheDocument();
    expect(api.requests('POST', '/v1/operators')).toHaveLength(0);
  });

  it('adds an operator, or shows the server’s message when the e-mail is taken', async () => {
    let taken = true;
    const api = routes({
      'POST /v1/operators': () =>
        taken
          ? { status: 409, body: errorBody('CONFLICT', 'an operator with this e-mail exists') }
          : { status: 201, body: { id: 'op-2', email: 'ana@example.com' } },
    });
    const user = userEvent.setup();
    renderConsole(<OperatorsPage />);
    const form = addOperatorForm();
    await user.type(within(form).getByLabelText(/^E-mail/), 'ana@example.com');
    await user.type(within(form).getByLabelText(/^Password \*?$/), 'a long passphrase');
    await user.type(within(form).getByLabelText(/^Password again/), 'a long passphrase');
    await user.click(within(form).getByRole('button', { name: 'Add operator' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('an operator with this e-mail exists');

    taken = false;
    await user.click(within(form).getByRole('button', { name: 'Add operator' }));
    expect(await within(form).findByText('Added ana@example.com; they can sign in now.')).toBeInTheDocument();
    expect(within(form).getByLabelText(/^Password \*?$/)).toHaveValue('');
    expect(api.requests('POST', '/v1/operators')[1]?.body).toEqual({ email: 'ana@example.com', password: 'a long passphrase' });
  });
});

describe('API tokens', () => {
  it('shows a new token once, with a copy button, and only its hint afterwards', async () => {
    const items: (typeof LISTED)[] = [];
    const api = routes({
      'GET /v1/api-tokens': () => ({ body: { items } }),
      'POST /v1/api-tokens': () => {
        items.push(LISTED);
        return { status: 201, body: { ...LISTED, token: TOKEN } };
      },
    });
    const user = userEvent.setup();
    renderConsole(<OperatorsPage />);
    expect(await screen.findByText('No API tokens.')).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'New API token' });
    expect(within(form).getByRole('radio', { name: /sandbox/ })).toBeChecked();
    await user.type(within(form).getByLabelText(/^Name/), 'acme-app CI');
    await user.type(within(form).getByLabelText(/^Expires after/), '90');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));

    const shown = await screen.findByRole('region', { name: /API token “acme-app CI” created/ });
    expect(within(shown).getByTestId('shown-once-secret')).toHaveTextContent(TOKEN);
    expect(shown).toHaveFocus();
    expect(api.requests('POST', '/v1/api-tokens')[0]?.body).toEqual({ name: 'acme-app CI', scope: 'sandbox', expiresInDays: 90 });
    await user.click(within(shown).getByRole('button', { name: 'Copy' }));
    expect(await within(shown).findByText('Copied.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(TOKEN);

    await user.click(within(shown).getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByText(TOKEN)).not.toBeInTheDocument();
    expect(await screen.findByText('tnt_…efgh')).toBeInTheDocument();
  });

  it('checks the name and the expiry, and sends an admin token without an expiry', async () => {
    const api = routes({ 'POST /v1/api-tokens': { status: 201, body: { ...LISTED, scope: 'admin', token: TOKEN } } });
    const user = userEvent.setup();
    renderConsole(<OperatorsPage />);
    const form = screen.getByRole('form', { name: 'New API token' });
    await user.type(within(form).getByLabelText(/^Expires after/), '400');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));
    expect(within(form).getByText('must not be empty')).toBeInTheDocument();
    expect(within(form).getByText('between 1 and 365')).toBeInTheDocument();
    expect(api.requests('POST', '/v1/api-tokens')).toHaveLength(0);

    await user.type(within(form).getByLabelText(/^Name/), 'deploy script');
    await user.clear(within(form).getByLabelText(/^Expires after/));
    await user.click(within(form).getByRole('radio', { name: /admin/ }));
    await user.click(within(form).getByRole('button', { name: 'Create token' }));
    await screen.findByTestId('shown-once-secret');
    expect(api.requests('POST', '/v1/api-tokens')[0]?.body).toEqual({ name: 'deploy script', scope: 'admin' });
  });

  it('shows the server’s field error at the field', async () => {
    routes({ 'POST /v1/api-tokens': { status: 422, body: errorBody('VALIDATION_FAILED', 'between 1 and 365', { field: 'expiresInDays' }) } });
    const user = userEvent.setup();
    renderConsole(<OperatorsPage />);
    const form = screen.getByRole('form', { name: 'New API token' });
    await user.type(within(form).getByLabelText(/^Name/), 'ci');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));
    expect(await within(form).findByText('between 1 and 365')).toBeInTheDocument();
    expect(within(form).getByLabelText(/^Expires after/)).toHaveAttribute('aria-invalid', 'true');
  });

  it('revokes a token after a confirmation', async () => {
    let items = [LISTED];
    const api = routes({
      'GET /v1/api-tokens': () => ({ body: { items } }),
      'DELETE /v1/api-tokens/:id': () => {
        items = [];
        return { status: 204 };
      },
    });
    const user = userEvent.setup();
    renderConsole(<OperatorsPage />);
    await user.click(await screen.findByRole('button', { name: 'Revoke acme-app CI' }));
    expect(api.requests('DELETE', `/v1/api-tokens/${LISTED.id}`)).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Yes, revoke acme-app CI' }));
    expect(await screen.findByText('No API tokens.')).toBeInTheDocument();
    expect(api.requests('DELETE', `/v1/api-tokens/${LISTED.id}`)).toHaveLength(1);
  });
});
