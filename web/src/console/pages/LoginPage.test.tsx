import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { LoginPage } from './LoginPage';
import { SetupPage } from './SetupPage';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';

describe('console login', () => {
  it('shows the server’s message and request id when sign-in fails', async () => {
    mockApi({ 'POST /v1/auth/login': { status: 401, body: errorBody('UNAUTHENTICATED', 'missing or invalid credentials') } });
    const user = userEvent.setup();
    const { session } = renderConsole(<LoginPage />, { path: '/login', route: '/login', signedIn: false });
    await user.type(screen.getByLabelText(/^E-mail/), 'ops@example.com');
    await user.type(screen.getByLabelText(/^Password/), 'wrong password here');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('missing or invalid credentials');
    expect(alert).toHaveTextContent('UNAUTHENTICATED');
    expect(alert).toHaveTextContent('req-test-1');
    expect(session.get()).toBeNull();
  });

  it('keeps the token for this tab and leaves the login page on success', async () => {
    const api = mockApi({ 'POST /v1/auth/login': { body: { token: 'tok-1', expiresAt: '2999-01-01T00:00:00Z' } } });
    const user = userEvent.setup();
    const { session } = renderConsole(<LoginPage />, { path: '/login', route: '/login', signedIn: false });
    await user.type(screen.getByLabelText(/^E-mail/), 'Ops@Example.com');
    await user.type(screen.getByLabelText(/^Password/), 'a long passphrase');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('elsewhere')).toBeInTheDocument();
    expect(session.get()).toEqual({ token: 'tok-1', expiresAt: '2999-01-01T00:00:00Z', email: 'ops@example.com' });
    expect(JSON.parse(sessionStorage.getItem('tenantry.console.session') ?? 'null')?.token).toBe('tok-1');
    expect(api.requests('POST', '/v1/auth/login')[0]?.body).toEqual({ email: 'Ops@Example.com', password: 'a long passphrase' });
  });
});

describe('first-run setup', () => {
  it('checks the fields before calling the server', async () => {
    const api = mockApi({});
    const user = userEvent.setup();
    renderConsole(<SetupPage />, { path: '/setup', route: '/setup', signedIn: false });
    await user.type(screen.getByLabelText(/^Your e-mail/), 'ops');
    await user.type(screen.getByLabelText(/^Password \*?$/), 'short');
    await user.click(screen.getByRole('button', { name: 'Create the first operator' }));
    expect(screen.getByText('is not a valid e-mail address')).toBeInTheDocument();
    expect(screen.getByText('must be at least 12 characters')).toBeInTheDocument();
    expect(api.calls).toHaveLength(0);
  });

  it('bootstraps, signs in and says so when the platform is already set up', async () => {
    mockApi({ 'POST /v1/bootstrap': { status: 409, body: errorBody('ALREADY_BOOTSTRAPPED', 'the first operator already exists') } });
    const user = userEvent.setup();
    renderConsole(<SetupPage />, { path: '/setup', route: '/setup', signedIn: false });
    await user.type(screen.getByLabelText(/^Bootstrap token/), 'tok');
    await user.type(screen.getByLabelText(/^Your e-mail/), 'ops@example.com');
    await user.type(screen.getByLabelText(/^Password \*?$/), 'a long passphrase');
    await user.type(screen.getByLabelText(/^Password again/), 'a long passphrase');
    await user.click(screen.getByRole('button', { name: 'Create the first operator' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('the first operator already exists');
    expect(screen.getAllByRole('link', { name: 'Sign in' }).length).toBeGreaterThan(0);
  });

  it('creates the first operator and signs them in', async () => {
    const api = mockApi({
      'POST /v1/bootstrap': { status: 201, body: { id: 'op-1', email: 'ops@example.com' } },
      'POST /v1/auth/login': { body: { token: 'tok-2', expiresAt: '2999-01-01T00:00:00Z' } },
    });
    const user = userEvent.setup();
    const { session } = renderConsole(<SetupPage />, { path: '/setup', route: '/setup', signedIn: false });
    await user.type(screen.getByLabelText(/^Bootstrap token/), ' tok ');
    await user.type(screen.getByLabelText(/^Your e-mail/), 'ops@example.com');
    await user.type(screen.getByLabelText(/^Password \*?$/), 'a long passphrase');
    await user.type(screen.getByLabelText(/^Password again/), 'a long passphrase');
    await user.click(screen.getByRole('button', { name: 'Create the first operator' }));
    expect(await screen.findByText('elsewhere')).toBeInTheDocument();
    expect(api.requests('POST', '/v1/bootstrap')[0]?.body).toEqual({ token: 'tok', email: 'ops@example.com', password: 'a long passphrase' });
    expect(session.token()).toBe('tok-2');
  });
});
