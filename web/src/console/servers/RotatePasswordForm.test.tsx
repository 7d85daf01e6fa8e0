import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ServersPage } from './ServersPage';
import { renderConsole } from '../../test/render';
import { errorBody, mockApi } from '../../test/fetchMock';
import { CHECK, server, serverRow as row } from '../../test/servers';
import { formatDate } from '../../shared/format';

const EARLIER = '2026-02-01T09:00:00Z';
const ROTATED_AT = '2026-03-04T05:06:00Z';
const MAIN = server('main', { adminPasswordChangedAt: EARLIER });
const EXPLANATION = /sets a new random password on the server and uses it from now on/;

async function openRotate(routes: Parameters<typeof mockApi>[0]) {
  const api = mockApi({ 'GET /v1/servers': { body: { items: [MAIN] } }, ...routes });
  const user = userEvent.setup();
  renderConsole(<ServersPage />);
  await user.click(await screen.findByRole('button', { name: 'Rotate password main' }));
  return { api, user };
}

describe('rotating a database server’s admin password', () => {
  it('asks first, then rotates and shows when the password changed', async () => {
    const { api, user } = await openRotate({
      'POST /v1/servers/:name/rotate-password': { body: { server: { ...MAIN, adminPasswordChangedAt: ROTATED_AT }, check: CHECK } },
    });
    const main = row('main');
    expect(within(main).getByText(`password changed ${formatDate(EARLIER)}`)).toBeInTheDocument();
    expect(within(main).getByText(EXPLANATION)).toBeInTheDocument();
    const confirm = within(main).getByRole('button', { name: 'Confirm new password for main' });
    expect(confirm).toHaveFocus();
    expect(api.requests('POST', '/v1/servers/main/rotate-password')).toHaveLength(0);

    await user.click(confirm);
    expect(await within(main).findByRole('status')).toHaveTextContent('Rotated the admin password of main.');
    expect(within(main).getByText(`password changed ${formatDate(ROTATED_AT)}`)).toBeInTheDocument();
    expect(within(main).queryByText(EXPLANATION)).not.toBeInTheDocument();
    expect(within(main).getByRole('button', { name: 'Rotate password main' })).toHaveFocus();
    const sent = api.requests('POST', '/v1/servers/main/rotate-password');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toBeUndefined();
  });

  it('sends nothing when cancelled', async () => {
    const { api, user } = await openRotate({});
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByText(EXPLANATION)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Rotate password main' })).toHaveFocus();
    expect(api.calls.filter((c) => c.method !== 'GET')).toHaveLength(0);
  });

  it('shows why the server refused, and leaves the row as it was', async () => {
    const refused = errorBody('VALIDATION_FAILED', 'the server refused the new admin password', {
      check: 'permission denied to alter role "postgres"',
    });
    const { user } = await openRotate({ 'POST /v1/servers/:name/rotate-password': { status: 422, body: refused } });
    const main = row('main');
    await user.click(within(main).getByRole('button', { name: 'Confirm new password for main' }));
    const alert = await within(main).findByRole('alert');
    expect(alert).toHaveTextContent('The password was not changed; the old one still works');
    expect(alert).toHaveTextContent('permission denied to alter role "postgres"');
    expect(alert).toHaveTextContent('VALIDATION_FAILED');
    expect(within(main).getByText(`password changed ${formatDate(EARLIER)}`)).toBeInTheDocument();
    expect(within(main).getByRole('status')).toBeEmptyDOMElement();
    // Still open: the operator can try again or cancel.
    expect(within(main).getByRole('button', { name: 'Confirm new password for main' })).toBeEnabled();
  });

  it('is not offered for the default server, whose password is configuration', async () => {
    mockApi({ 'GET /v1/servers': { body: { items: [server('default'), MAIN] } } });
    renderConsole(<ServersPage />);
    expect(await screen.findByRole('button', { name: 'Check now default' })).toBeInTheDocument();
    expect(within(row('default')).queryByRole('button', { name: /Rotate password/ })).not.toBeInTheDocument();
    expect(within(row('main')).getByRole('button', { name: 'Rotate password main' })).toBeInTheDocument();
  });
});
