import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PortalShell } from './PortalShell';
import { WorkspacePanel } from './WorkspaceSwitcher';
import { detectBase } from './base';
import { renderPortal } from '../test/render';
import { mockApi } from '../test/fetchMock';

function otherSession(slug: string, tenantName: string) {
  const value = { accessToken: 'a', refreshToken: 'r', accessExpiresAt: Date.now() + 60_000, tenantName, signedInAt: Date.now() };
  sessionStorage.setItem(`tenantry.portal.session.${slug}`, JSON.stringify(value));
}

const shell = (
  <PortalShell>
    <p>page</p>
  </PortalShell>
);

describe('workspace switcher', () => {
  it('lists the workspaces this tab is signed in to, the current one marked', async () => {
    mockApi({});
    otherSession('globex', 'Globex');
    const user = userEvent.setup();
    renderPortal(shell, { base: detectBase('/t/acme/') });
    const toggle = screen.getByRole('button', { name: 'Switch workspace' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const nav = screen.getByRole('navigation', { name: 'Switch workspace' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((l) => [l.textContent, l.getAttribute('href')])).toEqual([
      ['Acme Ltd', '/t/acme/'],
      ['Globex', '/t/globex/'],
    ]);
    expect(links[0]).toHaveAttribute('aria-current', 'page');
    expect(links[1]).not.toHaveAttribute('aria-current');
    expect(within(nav).getByText('(current)')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('navigation', { name: 'Switch workspace' })).not.toBeInTheDocument();
    expect(toggle).toHaveFocus();
  });

  it('offers only signing in to another workspace when this is the only one', async () => {
    mockApi({});
    const user = userEvent.setup();
    renderPortal(shell, { base: detectBase('/t/acme/') });
    expect(screen.queryByRole('button', { name: 'Switch workspace' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Other workspaces' }));
    expect(screen.queryByRole('navigation', { name: 'Switch workspace' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in to another workspace' })).toBeInTheDocument();
  });

  it('is not there on a tenant’s own host', () => {
    mockApi({});
    otherSession('globex', 'Globex');
    renderPortal(shell);
    expect(screen.queryByRole('button', { name: /workspace/i })).not.toBeInTheDocument();
  });

  it('checks the slug and opens that workspace’s sign-in page', async () => {
    mockApi({});
    const go = vi.fn();
    const user = userEvent.setup();
    renderPortal(<WorkspacePanel id="ws" onClose={() => undefined} go={go} />, { base: detectBase('/t/acme/') });
    const field = screen.getByLabelText(/^Workspace slug/);
    await user.type(field, 'No Such!');
    await user.click(screen.getByRole('button', { name: 'Sign in to another workspace' }));
    expect(field).toHaveAccessibleDescription(/lower-case letters/);
    expect(go).not.toHaveBeenCalled();
    await user.clear(field);
    await user.type(field, 'globex{Enter}');
    expect(go).toHaveBeenCalledWith('/t/globex/login');
  });
});
