/**
 * The tenant-plane client (the tenant API every tenant host serves), typed from
 * docs/openapi/tenant-plane.json. The same client works for a mobile app given a `baseUrl`.
 *
 * Tokens: the access token (15 min JWT) and the refresh token live in `TenantSession`
 * (memory + this tab's sessionStorage, per origin, so per tenant host; under path routing,
 * where tenants share an origin, under a key per tenant). Before a call whose
 * access token is about to expire the client refreshes once (single flight; refresh tokens
 * rotate and a reused one revokes the whole session, so two refreshes must never race).
 * A `401` on an authenticated call ends the session; tenant-status errors
 * (`TENANT_SUSPENDED`, `TENANT_GONE`, …) are reported to `onTenantUnavailable`.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/tenant-plane';
import { SessionStore } from './session-store';
import { isErrorBody, isRecord } from './errors';
import { sameOrigin } from './control';

export type TenantApi = Client<paths>;
export type TokensView = components['schemas']['TokensView'];

export interface TenantTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  accessExpiresAt: number;
  /** The tenant's display name at sign-in, for the workspace switcher. */
  tenantName?: string;
  /** Epoch milliseconds of the sign-in: the session ends `SESSION_LIFETIME_MS` later. */
  signedInAt?: number;
}

export function isTenantTokens(v: unknown): v is TenantTokens {
  return (
    isRecord(v) &&
    typeof v.accessToken === 'string' &&
    typeof v.refreshToken === 'string' &&
    typeof v.accessExpiresAt === 'number' &&
    (v.tenantName === undefined || typeof v.tenantName === 'string') &&
    (v.signedInAt === undefined || typeof v.signedInAt === 'number')
  );
}

/** A session (its refresh-token family) ends this long after the sign-in (docs/web.md). */
export const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

/** sessionStorage key of a tenant's session. */
export const SESSION_KEY = 'tenantry.portal.session';

/**
 * `tenantry.portal.session` on a tenant's own origin (one tenant per origin);
 * `tenantry.portal.session.<slug>` under path routing, where tenants share the origin.
 */
export function tenantSessionKey(slug: string | null): string {
  return slug ? `${SESSION_KEY}.${slug}` : SESSION_KEY;
}

/** Refresh this long before the access token expires, so a request never carries a dead one. */
const REFRESH_MARGIN_MS = 30_000;

/** Codes that say the tenant itself cannot be used (not the caller's fault). */
export const TENANT_UNAVAILABLE_CODES = [
  'TENANT_SUSPENDED',
  'TENANT_GONE',
  'TENANT_NOT_FOUND',
  'TENANT_NOT_READY',
  'TENANT_MOVING',
] as const;

export class TenantSession extends SessionStore<TenantTokens> {
  private refreshing: Promise<string | null> | null = null;

  /** `slug`: the tenant under path routing (a key per tenant), null on a tenant's own origin. */
  constructor(
    storage?: Storage | null,
    private readonly now: () => number = () => Date.now(),
    slug: string | null = null,
  ) {
    super(tenantSessionKey(slug), storage, isTenantTokens);
  }

  /** A new session; `tenantName` is kept with it for the workspace switcher. */
  signIn(tokens: TokensView, tenantName?: string): void {
    this.set({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: this.now() + tokens.expiresIn * 1000,
      ...(tenantName === undefined ? {} : { tenantName }),
      signedInAt: this.now(),
    });
  }

  /** Keeps the tenant's current display name with the session (after a rename). */
  nameTenant(tenantName: string): void {
    const current = this.get();
    if (current && current.tenantName !== tenantName) this.set({ ...current, tenantName });
  }

  /** Rotated tokens of the same session: its name and sign-in time stay. */
  private rotate(tokens: TokensView): void {
    const current = this.get();
    this.set({
      ...current,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: this.now() + tokens.expiresIn * 1000,
    });
  }

  /**
   * A usable access token, refreshing first when it is about to expire; null when signed out
   * or when the refresh was refused (the session is then cleared).
   */
  async accessToken(refresh: (refreshToken: string) => Promise<TokensView | null>): Promise<string | null> {
    const tokens = this.get();
    if (!tokens) return null;
    if (tokens.accessExpiresAt - REFRESH_MARGIN_MS > this.now()) return tokens.accessToken;
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const next = await refresh(tokens.refreshToken);
          if (!next) {
            this.set(null);
            return null;
          }
          this.rotate(next);
          return next.accessToken;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }
}

export interface TenantApiOptions {
  /** Origin plus, under path routing, `/t/<slug>`; default: this page's origin. */
  baseUrl?: string;
  onTenantUnavailable?: (code: string, message: string) => void;
}

const PUBLIC_PATHS = ['/v1/auth/', '/v1/tenant'];

/** Whether `url` is a public endpoint; `basePath` (`/t/<slug>` under path routing) is ignored. */
function isPublic(url: string, basePath: string): boolean {
  const full = new URL(url).pathname;
  const path = basePath && full.startsWith(`${basePath}/`) ? full.slice(basePath.length) : full;
  return PUBLIC_PATHS.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
}

/** Exchanges a refresh token at `baseUrl`; null when the server refuses it. */
function refresher(baseUrl: string) {
  return async (refreshToken: string): Promise<TokensView | null> => {
    const response = await globalThis.fetch(`${baseUrl}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    if (!response.ok) return null;
    return (await response.json()) as TokensView;
  };
}

/**
 * A usable access token for requests made outside the client (uploads with progress go
 * through `XMLHttpRequest`); refreshes through the same single flight as the client.
 */
export function bearerToken(session: TenantSession, baseUrl: string = sameOrigin()): Promise<string | null> {
  return session.accessToken(refresher(baseUrl));
}

export function createTenantApi(session: TenantSession, options: TenantApiOptions = {}): TenantApi {
  const baseUrl = options.baseUrl ?? sameOrigin();
  const fetchNow = (request: Request) => globalThis.fetch(request);
  const refresh = refresher(baseUrl);
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');

  const api = createClient<paths>({ baseUrl, fetch: fetchNow });
  api.use({
    async onRequest({ request }) {
      if (isPublic(request.url, basePath)) return request;
      const token = await session.accessToken(refresh);
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    async onResponse({ request, response }) {
      if (response.ok) return response;
      if (response.status === 401 && request.headers.has('authorization')) session.set(null);
      if (options.onTenantUnavailable && (response.status === 403 || response.status >= 404)) {
        const body: unknown = await response
          .clone()
          .json()
          .catch(() => null);
        if (isErrorBody(body) && (TENANT_UNAVAILABLE_CODES as readonly string[]).includes(body.error.code)) {
          options.onTenantUnavailable(body.error.code, body.error.message);
        }
      }
      return response;
    },
  });
  return api;
}
