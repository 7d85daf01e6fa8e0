import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { ProfilePage } from './ProfilePage';
import { LoginPage } from './LoginPage';
import { renderPortal } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';

type User = ReturnType<typeof userEvent.setup>;

function renderProfile() {
  return renderPortal(
    <Routes>
      <Route path="/profile" element={<ProfilePage />} />
      <Route path="/login" element={<LoginPage />} />
    </Routes>,
    { path: '/profile' },
  );
}

async function fill(user: User, current: string, next: string, again = next) {
  await user.type(screen.getByLabelText(/^Current password/), current);
  await user.type(screen.getByLabelText(/^New password \*?$/), next);
  await user.type(screen.getByLabelText(/^New password again/), again);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('changing your password', () => {
  it('checks the new password and its confirmation before sending', async () => {
    const api = mockApi({});
    const user = userEvent.setup();
    renderProfile();
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByText('must not be empty')).toBeInTheDocument();
    await fill(user, 'my old passphrase', 'short', 'shorter');
    expect(screen.getByText('must be at least 12 characters')).toBeInTheDocument();
    expect(screen.getByText('the two passwords differ')).toBeInTheDocument();
    expect(screen.getByLabelText(/^New password again/)).toHaveAttribute('aria-invalid', 'true');
    expect(api.requests('POST', '/v1/me/password')).toHaveLength(0);
  });

  it('shows a wrong current password at that field and stays signed in', async () => {
    mockApi({
      'POST /v1/me/password': { status: 422, body: errorBody('VALIDATION_FAILED', 'is wrong', { field: 'currentPassword' }) },
    });
    const user = userEvent.setup();
    const { session } = renderProfile();
    await fill(user, 'not my passphrase', 'a brand new passphrase');
    expect(await screen.findByText('is wrong')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Current password/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(session.get()).not.toBeNull();
  });

  it('shows other errors above the form', async () => {
    mockApi({ 'POST /v1/me/password': { status: 429, headers: { 'retry-after': '30' }, body: errorBody('RATE_LIMITED', 'too many requests') } });
    const user = userEvent.setup();
    renderProfile();
    await fill(user, 'my old passphrase', 'a brand new passphrase');
    expect(await screen.findByRole('alert')).toHaveTextContent('too many requests Try again in 30 s.');
  });

  it('signs out after the change and asks for a new sign-in', async () => {
    const api = mockApi({ 'POST /v1/me/password': { status: 204 } });
    const user = userEvent.setup();
    const { session } = renderProfile();
    await fill(user, 'my old passphrase', 'a brand new passphrase');

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to Acme Ltd' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Your password was changed and you were signed out everywhere. Sign in with the new password.');
    expect(session.get()).toBeNull();
    expect(sessionStorage.getItem('tenantry.portal.session')).toBeNull();
    const [post] = api.requests('POST', '/v1/me/password');
    expect(post?.body).toEqual({ currentPassword: 'my old passphrase', newPassword: 'a brand new passphrase' });
    expect(post?.headers.get('authorization')).toBe('Bearer access-1');
  });
});
