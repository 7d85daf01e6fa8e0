import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { LoginPage } from './LoginPage';
import { renderPortal } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';

async function signIn(password = 'a long passphrase') {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText(/^E-mail/), 'owner@acme.example');
  await user.type(screen.getByLabelText(/^Password/), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('portal login', () => {
  it('is branded with the tenant’s name', () => {
    mockApi({});
    renderPortal(<LoginPage />, { signedIn: false, me: null });
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in to Acme Ltd' })).toBeInTheDocument();
  });

  it('shows the server’s (deliberately vague) message on a failed sign-in', async () => {
    mockApi({ 'POST /v1/auth/login': { status: 401, body: errorBody('UNAUTHENTICATED', 'missing or invalid credentials') } });
    const { session } = renderPortal(<LoginPage />, { signedIn: false, me: null });
    await signIn('wrong password!!');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Sign-in failed');
    expect(alert).toHaveTextContent('missing or invalid credentials');
    expect(session.get()).toBeNull();
  });

  it('says when to try again after too many attempts', async () => {
    mockApi({
      'POST /v1/auth/login': {
        status: 429,
        headers: { 'retry-after': '42' },
        body: errorBody('RATE_LIMITED', 'too many requests'),
      },
    });
    renderPortal(<LoginPage />, { signedIn: false, me: null });
    await signIn();
    expect(await screen.findByRole('alert')).toHaveTextContent('too many requests Try again in 42 s.');
  });

  it('keeps both tokens for this tab on success', async () => {
    mockApi({ 'POST /v1/auth/login': { body: { accessToken: 'a-1', refreshToken: 'r-1', expiresIn: 900, tokenType: 'Bearer' } } });
    const { session } = renderPortal(<LoginPage />, { signedIn: false, me: null });
    await signIn();
    await waitFor(() => expect(session.get()).toMatchObject({ accessToken: 'a-1', refreshToken: 'r-1' }));
    expect(JSON.parse(sessionStorage.getItem('tenantry.portal.session') ?? 'null')).toMatchObject({ refreshToken: 'r-1' });
  });
});
