/**
 * The control-plane client (operators' API), typed from docs/openapi/control-plane.json.
 *
 * The operator's bearer token (12 h, opaque, no refresh) comes from `OperatorSession`; a `401`
 * on an authenticated call ends the session so the console shows the login page.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/control-plane';
import { SessionStore } from './session-store';
import { isRecord } from './errors';

export type ControlApi = Client<paths>;

export interface OperatorSessionData {
  token: string;
  expiresAt: string;
  email: string;
}

function isOperatorSession(v: unknown): v is OperatorSessionData {
  return isRecord(v) && typeof v.token === 'string' && typeof v.expiresAt === 'string' && typeof v.email === 'string';
}

export class OperatorSession extends SessionStore<OperatorSessionData> {
  constructor(storage?: Storage | null) {
    super('tenantry.console.session', storage, isOperatorSession);
    const current = this.get();
    if (current && Date.parse(current.expiresAt) <= Date.now()) this.set(null);
  }

  token(): string | null {
    return this.get()?.token ?? null;
  }
}

/** Where the API lives: the page's own origin (the control plane serves both). */
export function sameOrigin(): string {
  return typeof window === 'undefined' ? 'http://localhost' : window.location.origin;
}

export function createControlApi(session: OperatorSession, baseUrl: string = sameOrigin()): ControlApi {
  // `fetch` is looked up at call time so tests can stub it after the client exists.
  const api = createClient<paths>({ baseUrl, fetch: (request) => globalThis.fetch(request) });
  api.use({
    onRequest({ request }) {
      const token = session.token();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && request.headers.has('authorization')) session.set(null);
      return response;
    },
  });
  return api;
}
