import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { InviteOwner } from './InviteOwner';
import { BrandingSection } from './BrandingSection';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi, type Reply } from '../../test/fetchMock';
import { TENANT } from '../../test/tenant';

const INVITATION = { email: 'new-owner@acme.example', token: 'inv_fedcba9876543210', expiresAt: '2026-01-08T00:00:00Z' };
const BRANDING_PATH = `/v1/tenants/${TENANT.id}/branding`;

describe('inviting an owner', () => {
  it('checks the e-mail, then shows the code once with where to paste it', async () => {
    const api = mockApi({ 'POST /v1/tenants/:tenant/admin-invitation': { status: 201, body: INVITATION } });
    const onInvited = vi.fn();
    const user = userEvent.setup();
    renderConsole(<InviteOwner tenant={TENANT} onInvited={onInvited} />);
    expect(screen.getByText(/replaces any open invitation for that address/)).toHaveTextContent(/recorded in the tenant’s audit log/);
    const email = screen.getByLabelText(/^Owner's e-mail/);
    await user.type(email, 'not-an-address');
    await user.click(screen.getByRole('button', { name: 'Invite owner' }));
    expect(email).toHaveAccessibleDescription('is not a valid e-mail address');
    expect(api.calls).toHaveLength(0);

    await user.clear(email);
    await user.type(email, ' new-owner@acme.example ');
    await user.click(screen.getByRole('button', { name: 'Invite owner' }));
    expect(await screen.findByTestId('shown-once-secret')).toHaveTextContent(INVITATION.token);
    expect(screen.getByRole('link', { name: 'http://acme.localhost:8081/accept-invitation' })).toBeInTheDocument();
    expect(api.requests('POST', '/v1/tenants/acme/admin-invitation')[0]?.body).toEqual({ email: 'new-owner@acme.example' });
    expect(onInvited).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByText(INVITATION.token)).not.toBeInTheDocument();
    expect(screen.getByLabelText(/^Owner's e-mail/)).toHaveValue('');
  });

  it('shows the API’s message: at the e-mail when it names it, else above the form', async () => {
    let answer: Reply = { status: 409, body: errorBody('CONFLICT', 'a user with that e-mail exists', { field: 'email' }) };
    mockApi({ 'POST /v1/tenants/:tenant/admin-invitation': () => answer });
    const user = userEvent.setup();
    renderConsole(<InviteOwner tenant={TENANT} onInvited={() => undefined} />);
    await user.type(screen.getByLabelText(/^Owner's e-mail/), 'owner@acme.example');
    await user.click(screen.getByRole('button', { name: 'Invite owner' }));
    expect(await screen.findByText('a user with that e-mail exists')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Owner's e-mail/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    answer = { status: 409, body: errorBody('INVALID_STATE', 'tenant is suspended, expected active') };
    await user.click(screen.getByRole('button', { name: 'Invite owner' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('tenant is suspended, expected active');
  });
});

describe('branding', () => {
  it('loads, previews, checks and saves the colour and logo; empty unsets', async () => {
    const api = mockApi({
      [`GET ${BRANDING_PATH}`]: { body: { primaryColor: '#123456', logoUrl: 'https://cdn.acme.example/logo.svg' } },
      [`PUT ${BRANDING_PATH}`]: (req) => ({ body: req.body }),
    });
    const onChanged = vi.fn();
    const user = userEvent.setup();
    renderConsole(<BrandingSection tenant={TENANT.id} onChanged={onChanged} />);
    const color = await screen.findByLabelText(/^Primary colour/);
    expect(color).toHaveValue('#123456');
    expect(screen.getByTestId('branding-swatch')).toHaveTextContent('Sample button in #123456');
    expect(screen.getByTestId('branding-swatch')).toHaveStyle({ backgroundColor: '#123456' });

    await user.clear(color);
    await user.type(color, '#0b72');
    expect(color).toHaveAccessibleDescription(/must be a colour as #rrggbb/);
    expect(screen.getByTestId('branding-swatch')).toHaveTextContent('Sample button, default colour');
    await user.type(color, '85');
    const logo = screen.getByLabelText(/^Logo URL/);
    await user.clear(logo);
    await user.type(logo, 'http://cdn.acme.example/logo.svg');
    await user.click(screen.getByRole('button', { name: 'Save branding' }));
    expect(logo).toHaveAccessibleDescription(/must be an https URL of at most 2048 characters/);
    expect(api.requests('PUT', BRANDING_PATH)).toHaveLength(0);

    await user.clear(logo);
    await user.click(screen.getByRole('button', { name: 'Save branding' }));
    expect(await screen.findByText(/Branding saved/)).toBeInTheDocument();
    expect(api.requests('PUT', BRANDING_PATH)[0]?.body).toEqual({ primaryColor: '#0b7285', logoUrl: null });
    expect(screen.getByTestId('branding-swatch')).toHaveStyle({ backgroundColor: '#0b7285' });
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it('shows the server’s 422 at its field', async () => {
    mockApi({
      [`GET ${BRANDING_PATH}`]: { body: {} },
      [`PUT ${BRANDING_PATH}`]: { status: 422, body: errorBody('VALIDATION_FAILED', 'logoUrl: must be an https URL', { field: 'logoUrl' }) },
    });
    const user = userEvent.setup();
    renderConsole(<BrandingSection tenant={TENANT.id} onChanged={() => undefined} />);
    await user.type(await screen.findByLabelText(/^Logo URL/), 'https://x.example/logo.png');
    await user.click(screen.getByRole('button', { name: 'Save branding' }));
    const field = screen.getByLabelText(/^Logo URL/);
    expect(await within(field.closest('.field') as HTMLElement).findByText('logoUrl: must be an https URL')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows why a tenant that is not active has no branding to edit', async () => {
    mockApi({ [`GET ${BRANDING_PATH}`]: { status: 409, body: errorBody('INVALID_STATE', 'tenant is suspended, expected active') } });
    renderConsole(<BrandingSection tenant={TENANT.id} onChanged={() => undefined} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('tenant is suspended, expected active');
    expect(screen.queryByRole('button', { name: 'Save branding' })).not.toBeInTheDocument();
  });
});
