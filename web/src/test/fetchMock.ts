/**
 * A stand-in for the platform's HTTP API in component tests: routes like
 * `'POST /v1/tenants'` or `'GET /v1/tenants/:tenant'` answer with JSON; every request is
 * recorded with its parsed body. Unknown routes answer the API's own `404 NOT_FOUND` body.
 */
import { vi } from 'vitest';

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Recorded, params: Record<string, string>) => Reply | Promise<Reply>;

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) }, requestId: 'req-test-1' };
}

function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(s[i] ?? '');
    else if (part !== s[i]) return null;
  }
  return params;
}

export function mockApi(routes: Record<string, Handler | Reply>) {
  const calls: Recorded[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url);
    const text = await request.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const recorded: Recorded = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body };
    calls.push(recorded);
    for (const [key, handler] of Object.entries(routes)) {
      const [method, pattern] = key.split(' ');
      if (method !== request.method || !pattern) continue;
      const params = match(pattern, url.pathname);
      if (!params) continue;
      const reply = typeof handler === 'function' ? await handler(recorded, params) : handler;
      const status = reply.status ?? 200;
      const headers = { 'content-type': 'application/json', 'x-request-id': 'req-test-1', ...reply.headers };
      return new Response(status === 204 ? null : JSON.stringify(reply.body ?? {}), { status, headers });
    }
    return new Response(JSON.stringify(errorBody('NOT_FOUND', 'no such route')), {
      status: 404,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    calls,
    fetchMock,
    /** Requests to `METHOD /path` (exact path). */
    requests: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}
