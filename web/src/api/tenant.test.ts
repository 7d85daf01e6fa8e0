import { describe, expect, it, vi } from 'vitest';
import { TenantSession, createTenantApi } from './tenant';
import { call } from './call';
import { ApiError } from './errors';
import { errorBody, mockApi } from '../test/fetchMock';

const ORIGIN = 'http://acme.test';

describe('tenant API client', () => {
  it('refreshes an expiring access token once, however many calls wait for it', async () => {
    let now = 0;
    const session = new TenantSession(sessionStorage, () => now);
    session.signIn({ accessToken: 'a-1', refreshToken: 'r-1', expiresIn: 900, tokenType: 'Bearer' });
    now = 890_000; // 10 s left: inside the refresh margin
    const api = mockApi({
      'POST /v1/auth/refresh': { body: { accessToken: 'a-2', refreshToken: 'r-2', expiresIn: 900, tokenType: 'Bearer' } },
      'GET /v1/me': { body: {} },
      'GET /v1/modules': { body: { items: [] } },
    });
    const client = createTenantApi(session, { baseUrl: ORIGIN });
    await Promise.all([call(client.GET('/v1/me')), call(client.GET('/v1/modules'))]);

    expect(api.requests('POST', '/v1/auth/refresh')).toHaveLength(1);
    expect(api.requests('POST', '/v1/auth/refresh')[0]?.body).toEqual({ refreshToken: 'r-1' });
    expect(api.requests('GET', '/v1/me')[0]?.headers.get('authorization')).toBe('Bearer a-2');
    expect(api.requests('GET', '/v1/modules')[0]?.headers.get('authorization')).toBe('Bearer a-2');
    expect(session.get()).toMatchObject({ accessToken: 'a-2', refreshToken: 'r-2' });
  });

  it('signs out when the refresh token is refused', async () => {
    let now = 0;
    const session = new TenantSession(sessionStorage, () => now);
    session.signIn({ accessToken: 'a-1', refreshToken: 'r-used', expiresIn: 900, tokenType: 'Bearer' });
    now = 901_000;
    mockApi({
      'POST /v1/auth/refresh': { status: 401, body: errorBody('UNAUTHENTICATED', 'missing or invalid credentials') },
      'GET /v1/me': { status: 401, body: errorBody('UNAUTHENTICATED', 'missing or invalid credentials') },
    });
    const client = createTenantApi(session, { baseUrl: ORIGIN });
    await expect(call(client.GET('/v1/me'))).rejects.toBeInstanceOf(ApiError);
    expect(session.get()).toBeNull();
    expect(sessionStorage.getItem('tenantry.portal.session')).toBeNull();
  });

  it('ends the session on a 401 to an authenticated call', async () => {
    const session = new TenantSession(sessionStorage);
    session.signIn({ accessToken: 'a-1', refreshToken: 'r-1', expiresIn: 900, tokenType: 'Bearer' });
    mockApi({ 'GET /v1/users': { status: 401, body: errorBody('UNAUTHENTICATED', 'missing or invalid credentials') } });
    const client = createTenantApi(session, { baseUrl: ORIGIN });
    await expect(call(client.GET('/v1/users'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(session.get()).toBeNull();
  });

  it('reports a suspended tenant and sends no token to public endpoints', async () => {
    const session = new TenantSession(sessionStorage);
    session.signIn({ accessToken: 'a-1', refreshToken: 'r-1', expiresIn: 900, tokenType: 'Bearer' });
    const api = mockApi({ 'GET /v1/tenant': { status: 403, body: errorBody('TENANT_SUSPENDED', 'tenant is suspended') } });
    const onTenantUnavailable = vi.fn();
    const client = createTenantApi(session, { baseUrl: ORIGIN, onTenantUnavailable });
    await expect(call(client.GET('/v1/tenant'))).rejects.toMatchObject({ code: 'TENANT_SUSPENDED', message: 'tenant is suspended' });
    expect(onTenantUnavailable).toHaveBeenCalledWith('TENANT_SUSPENDED', 'tenant is suspended');
    expect(api.calls[0]?.headers.get('authorization')).toBeNull();
    expect(session.get()).not.toBeNull();
  });

  it('reports a tenant being moved to another server, keeping the session', async () => {
    const session = new TenantSession(sessionStorage);
    session.signIn({ accessToken: 'a-1', refreshToken: 'r-1', expiresIn: 900, tokenType: 'Bearer' });
    mockApi({ 'GET /v1/notes': { status: 503, body: errorBody('TENANT_MOVING', 'being moved') } });
    const onTenantUnavailable = vi.fn();
    const client = createTenantApi(session, { baseUrl: ORIGIN, onTenantUnavailable });
    await expect(call(client.GET('/v1/notes'))).rejects.toMatchObject({ code: 'TENANT_MOVING', status: 503 });
    expect(onTenantUnavailable).toHaveBeenCalledWith('TENANT_MOVING', 'being moved');
    expect(session.get()).not.toBeNull();
  });

  it('turns a dropped connection and a non-API answer into ApiErrors', async () => {
    const session = new TenantSession(null);
    const client = createTenantApi(session, { baseUrl: ORIGIN });
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(call(client.GET('/v1/tenant'))).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })));
    await expect(call(client.GET('/v1/tenant'))).rejects.toMatchObject({ code: 'HTTP_502', message: 'The server answered 502 Bad Gateway' });
  });
});

describe('tenant API client under path routing', () => {
  it('sends every call under /t/<slug>, tokens only to non-public ones, and keeps the session per tenant', async () => {
    const session = new TenantSession(sessionStorage, undefined, 'acme');
    const api = mockApi({
      'POST /t/acme/v1/auth/login': { body: { accessToken: 'a-1', refreshToken: 'r-1', expiresIn: 900, tokenType: 'Bearer' } },
      'GET /t/acme/v1/me': { body: {} },
    });
    const client = createTenantApi(session, { baseUrl: `${ORIGIN}/t/acme` });
    session.signIn(await call(client.POST('/v1/auth/login', { body: { email: 'a@acme.example', password: 'x' } })), 'Acme Ltd');
    await call(client.GET('/v1/me'));
    expect(api.calls.map((c) => c.path)).toEqual(['/t/acme/v1/auth/login', '/t/acme/v1/me']);
    expect(api.calls[0]?.headers.get('authorization')).toBeNull();
    expect(api.calls[1]?.headers.get('authorization')).toBe('Bearer a-1');
    expect(sessionStorage.getItem('tenantry.portal.session')).toBeNull();
    expect(JSON.parse(sessionStorage.getItem('tenantry.portal.session.acme') ?? 'null')).toMatchObject({
      refreshToken: 'r-1',
      tenantName: 'Acme Ltd',
    });
  });

  it('refreshes under the prefix and keeps the tenant’s name with the rotated tokens', async () => {
    let now = 1_000;
    const session = new TenantSession(sessionStorage, () => now, 'acme');
    session.signIn({ accessToken: 'a-1', refreshToken: 'r-1', expiresIn: 900, tokenType: 'Bearer' }, 'Acme Ltd');
    now = 900_000;
    const api = mockApi({
      'POST /t/acme/v1/auth/refresh': { body: { accessToken: 'a-2', refreshToken: 'r-2', expiresIn: 900, tokenType: 'Bearer' } },
      'GET /t/acme/v1/me': { body: {} },
    });
    await call(createTenantApi(session, { baseUrl: `${ORIGIN}/t/acme` }).GET('/v1/me'));
    expect(api.requests('POST', '/t/acme/v1/auth/refresh')).toHaveLength(1);
    expect(session.get()).toMatchObject({ accessToken: 'a-2', tenantName: 'Acme Ltd', signedInAt: 1_000 });
  });
});
