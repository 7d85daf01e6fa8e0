import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OffboardForm } from './OffboardForm';
import { SuspendResume } from './SuspendResume';
import { renderConsole } from '../../test/render';
import { mockApi } from '../../test/fetchMock';
import { TENANT } from '../../test/tenant';
import type { TenantView } from '../types';

describe('offboarding', () => {
  it('needs the slug typed exactly before it deletes', async () => {
    const api = mockApi({ 'DELETE /v1/tenants/:tenant': { body: { ...TENANT, status: 'deleted' } } });
    const user = userEvent.setup();
    let changed: TenantView | null = null;
    renderConsole(<OffboardForm tenant={TENANT} onChanged={(t) => (changed = t)} />);
    const button = screen.getByRole('button', { name: /Offboard Acme Ltd/ });
    expect(button).toBeDisabled();
    await user.type(screen.getByLabelText(/Type the slug/), 'acm');
    expect(button).toBeDisabled();
    await user.type(screen.getByLabelText(/Type the slug/), 'e');
    expect(button).toBeEnabled();
    await user.click(button);
    await screen.findByRole('button', { name: /Offboard Acme Ltd/ });
    expect(api.requests('DELETE', `/v1/tenants/${TENANT.id}`)).toHaveLength(1);
    expect(changed).toMatchObject({ status: 'deleted' });
  });
});

describe('suspend and resume', () => {
  it('suspends with a reason', async () => {
    const api = mockApi({ 'POST /v1/tenants/:tenant/suspend': { body: { ...TENANT, status: 'suspended', statusReason: 'unpaid' } } });
    const user = userEvent.setup();
    let changed: TenantView | null = null;
    renderConsole(<SuspendResume tenant={TENANT} onChanged={(t) => (changed = t)} />);
    await user.type(screen.getByLabelText('Reason'), 'unpaid');
    await user.click(screen.getByRole('button', { name: 'Suspend tenant' }));
    await screen.findByRole('button', { name: 'Suspend tenant' });
    expect(api.requests('POST', `/v1/tenants/${TENANT.id}/suspend`)[0]?.body).toEqual({ reason: 'unpaid' });
    expect(changed).toMatchObject({ status: 'suspended' });
  });

  it('sends an empty object when no reason is given (the server refuses `null`)', async () => {
    const api = mockApi({ 'POST /v1/tenants/:tenant/suspend': { body: { ...TENANT, status: 'suspended' } } });
    const user = userEvent.setup();
    renderConsole(<SuspendResume tenant={TENANT} onChanged={() => undefined} />);
    await user.click(screen.getByRole('button', { name: 'Suspend tenant' }));
    await screen.findByRole('button', { name: 'Suspend tenant' });
    expect(api.requests('POST', `/v1/tenants/${TENANT.id}/suspend`)[0]?.body).toEqual({});
  });

  it('offers resume for a suspended tenant', async () => {
    const api = mockApi({ 'POST /v1/tenants/:tenant/resume': { body: TENANT } });
    const user = userEvent.setup();
    renderConsole(<SuspendResume tenant={{ ...TENANT, status: 'suspended', statusReason: 'unpaid' }} onChanged={() => undefined} />);
    expect(screen.getByText('unpaid')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resume tenant' }));
    await screen.findByRole('button', { name: 'Resume tenant' });
    expect(api.requests('POST', `/v1/tenants/${TENANT.id}/resume`)).toHaveLength(1);
  });
});
