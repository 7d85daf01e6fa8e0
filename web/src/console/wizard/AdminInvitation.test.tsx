import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OnboardWizard } from './OnboardWizard';
import { renderConsole } from '../../test/render';
import { errorBody } from '../../test/fetchMock';
import { CREATED, DONE, baseRoutes, fillIdentity, job } from '../../test/wizard';

const INVITATION = { email: 'owner@acme.example', token: 'inv_0123456789abcdef', expiresAt: '2026-01-08T00:00:00Z' };

async function toReviewInviting(user: ReturnType<typeof userEvent.setup>) {
  await fillIdentity(user);
  await user.click(screen.getByRole('button', { name: 'Next' }));
  await user.click(screen.getByRole('button', { name: 'Next' }));
  await user.type(screen.getByLabelText(/^Admin e-mail/), 'owner@acme.example');
  expect(screen.getByRole('radio', { name: /Send an invitation/ })).toBeChecked();
  expect(screen.queryByLabelText(/^Admin password/)).not.toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Next' }));
  expect(screen.getByRole('heading', { name: /Step 5 of 5: Review/ })).toBeInTheDocument();
}

describe('onboarding wizard: inviting the first admin', () => {
  it('sends the e-mail only and shows the invitation code once with where to paste it', async () => {
    const api = baseRoutes({ 'POST /v1/tenants': { status: 201, body: { ...CREATED, adminInvitation: INVITATION } } });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await toReviewInviting(user);
    expect(screen.getByText(/invited: a one-time code is shown after creation/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));

    expect(await screen.findByRole('heading', { name: 'The tenant is ready' })).toBeInTheDocument();
    expect(api.requests('POST', '/v1/tenants')[0]?.body).toMatchObject({ admin: { email: 'owner@acme.example' } });
    expect((api.requests('POST', '/v1/tenants')[0]?.body as { admin: object }).admin).not.toHaveProperty('password');
    expect(screen.getByRole('heading', { name: 'Invitation for owner@acme.example' })).toBeInTheDocument();
    expect(screen.getByTestId('shown-once-secret')).toHaveTextContent(INVITATION.token);
    const accept = screen.getByRole('link', { name: 'http://acme.localhost:8081/accept-invitation' });
    expect(accept).toHaveAttribute('href', 'http://acme.localhost:8081/accept-invitation');
    expect(accept.closest('p')).toHaveTextContent(/the admin opens .*accept-invitation and pastes this code/);
    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByText(INVITATION.token)).not.toBeInTheDocument();
    expect(screen.getByText(/was shown once/)).toBeInTheDocument();
  });

  it('offers to issue the invitation when the tenant came out of a retried job', async () => {
    const failed = job('failed', { reserve: DONE, seed_admin: { state: 'failed', attempts: 3, at: '2026-01-01T00:00:00Z', error: 'boom' } }, 'seed_admin');
    const succeeded = job('succeeded', { reserve: DONE, seed_admin: DONE, activate: DONE });
    let invite = { status: 409, body: errorBody('INVALID_STATE', 'tenant is provisioning, expected active') as unknown };
    const api = baseRoutes({
      'POST /v1/tenants': {
        status: 502,
        body: errorBody('PROVISIONING_FAILED', 'provisioning failed at step seed_admin', { jobId: failed.id, step: 'seed_admin' }),
      },
      'GET /v1/jobs/:id': { body: failed },
      'POST /v1/jobs/:id/retry': { body: succeeded },
      'POST /v1/tenants/:tenant/admin-invitation': () => invite,
    });
    const user = userEvent.setup();
    renderConsole(<OnboardWizard />);
    await toReviewInviting(user);
    await user.click(screen.getByRole('button', { name: 'Create tenant' }));
    await user.click(await screen.findByRole('button', { name: 'Retry from the failed step' }));
    expect(await screen.findByRole('heading', { name: 'The tenant is ready' })).toBeInTheDocument();
    expect(screen.queryByTestId('shown-once-secret')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Issue the invitation' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('tenant is provisioning, expected active');
    invite = { status: 201, body: INVITATION };
    await user.click(screen.getByRole('button', { name: 'Issue the invitation' }));
    expect(await screen.findByTestId('shown-once-secret')).toHaveTextContent(INVITATION.token);
    const calls = api.requests('POST', `/v1/tenants/${CREATED.slug}/admin-invitation`);
    expect(calls.map((c) => c.body)).toEqual([{ email: 'owner@acme.example' }, { email: 'owner@acme.example' }]);
  });
});
