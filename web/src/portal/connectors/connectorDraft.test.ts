import { describe, expect, it } from 'vitest';
import { configDraft, isSecretSet, putBody, secretDraft } from './connectorDraft';
import type { ConnectorView } from '../types';

const EMAIL: ConnectorView = {
  key: 'email',
  description: 'Outgoing e-mail',
  connected: true,
  config: { host: 'smtp.example.com', port: 587, security: 'starttls', fromAddress: 'noreply@example.com' },
  secrets: { password: { set: true } },
  configSchema: [
    { name: 'host', description: '', required: true, kind: { type: 'host' } },
    // The OpenAPI document types `default` as an object; the server sends the plain value.
    { name: 'port', description: '', required: false, kind: { type: 'port' }, default: 587 as unknown as Record<string, unknown> },
    { name: 'security', description: '', required: false, kind: { type: 'oneOf', values: ['starttls', 'tls', 'none'] } },
    { name: 'fromAddress', description: '', required: true, kind: { type: 'email' } },
    { name: 'username', description: '', required: false, kind: { type: 'text', max: 200 } },
  ],
  secretSchema: [{ name: 'password', description: '', required: false, kind: { type: 'text', max: 1024 } }],
};

describe('connector form ↔ API body', () => {
  it('prefills settings but never secrets', () => {
    expect(configDraft(EMAIL)).toEqual({
      host: 'smtp.example.com',
      port: '587',
      security: 'starttls',
      fromAddress: 'noreply@example.com',
      username: '',
    });
    expect(secretDraft(EMAIL)).toEqual({ password: { value: '', remove: false } });
    expect(isSecretSet(EMAIL, 'password')).toBe(true);
  });

  it('keeps a secret left empty, replaces a typed one, removes with null', () => {
    const config = configDraft(EMAIL);
    expect(putBody(EMAIL, config, { password: { value: '', remove: false } })).toEqual({
      config: { host: 'smtp.example.com', port: 587, security: 'starttls', fromAddress: 'noreply@example.com' },
      secrets: {},
    });
    expect(putBody(EMAIL, config, { password: { value: 'new secret', remove: false } }).secrets).toEqual({ password: 'new secret' });
    expect(putBody(EMAIL, config, { password: { value: '', remove: true } }).secrets).toEqual({ password: null });
  });
});
