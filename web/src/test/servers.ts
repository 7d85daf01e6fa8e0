/** Database servers as `GET /v1/servers` lists them, for the console's tests. */
import { screen } from '@testing-library/react';
import type { ServerView } from '../console/types';

export function server(name: string, patch: Partial<ServerView> = {}): ServerView {
  return {
    id: `srv-${name}`,
    name,
    host: `${name}.db.internal`,
    port: 5432,
    adminUser: 'postgres',
    adminDatabase: 'postgres',
    templateDatabase: 'tenantry_template',
    kind: 'platform',
    placement: 'shared',
    state: 'active',
    capacity: 5000,
    tenants: 3,
    health: 'ok',
    healthDetail: null,
    serverVersion: '16.4',
    checkedAt: '2026-01-02T10:00:00Z',
    createdAt: '2026-01-01T00:00:00Z',
    tlsMode: 'disable',
    tlsCaRegistered: false,
    tlsCaExpiresAt: null,
    tlsCertificateExpiresAt: null,
    tlsClientCertificate: false,
    tlsClientCertificateExpiresAt: null,
    adminPasswordChangedAt: null,
    ...patch,
  };
}

/** A client certificate and its key as an operator pastes them; the console checks only their PEM shape. */
export const CLIENT_CERT = '-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0=\n-----END CERTIFICATE-----\n';
export const CLIENT_KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n';

export const CHECK = { version: '16.4', tls: true, superuser: false, maxConnections: 200, tlsCertificateExpiresAt: null };

/** The servers page's table row of the server named `name`. */
export function serverRow(name: string): HTMLElement {
  const cell = screen.getByText(name, { selector: 'strong' });
  const tr = cell.closest('tr');
  if (!tr) throw new Error(`no row for ${name}`);
  return tr;
}
