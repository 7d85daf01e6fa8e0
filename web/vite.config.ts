// Two static sites from one package: `vite build --mode console` and `--mode portal`.
// Each app has its own HTML entry under `<app>/index.html` and builds to `dist/<app>/`
// with hashed assets, served at `/` by its plane (control plane: console; tenant plane:
// portal at every tenant's host). In development `/v1` is proxied to the plane, so the
// browser talks to one origin, as it does in production.
import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The Content-Security-Policy the planes should send with these pages (docs/web.md): nothing
 * from other origins, no inline script or style. The portal also shows tenant logos, which are
 * `https` URLs elsewhere. `vite preview` sends it, so the end-to-end run checks the apps under it.
 */
const CSP_BASE =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; font-src 'self'; " +
  "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const apps = {
  console: { devPort: 5173, previewPort: 4173, api: 'http://127.0.0.1:8080', csp: `${CSP_BASE}; img-src 'self' data:` },
  portal: { devPort: 5174, previewPort: 4174, api: 'http://127.0.0.1:8081', csp: `${CSP_BASE}; img-src 'self' data: https:` },
} as const;

/** Headers the planes should send with the HTML (see docs/web.md); assets add long caching. */
function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}

type AppName = keyof typeof apps;

function isApp(mode: string): mode is AppName {
  return mode in apps;
}

export default defineConfig(({ mode }) => {
  if (!isApp(mode)) {
    throw new Error(`run vite with --mode console or --mode portal (got "${mode}")`);
  }
  const app = apps[mode];
  const api = process.env.TENANTRY_WEB_API ?? app.api;
  // The Host header is passed through unchanged (no changeOrigin): the tenant plane resolves
  // the tenant from it, so `acme.localhost:5174` reaches tenant `acme`.
  // Under path routing the tenant API is at `/t/<slug>/v1/…` (the portal at `/t/<slug>/…`).
  const proxy: Record<string, ProxyOptions> = {
    '/v1': { target: api, changeOrigin: false },
    '/.well-known': { target: api, changeOrigin: false },
    '^/t/[a-z0-9][a-z0-9-]*/(v1|\\.well-known)/': { target: api, changeOrigin: false },
  };
  return {
    root: fileURLToPath(new URL(`./${mode}`, import.meta.url)),
    base: '/',
    publicDir: fileURLToPath(new URL('./public', import.meta.url)),
    plugins: [react()],
    build: {
      outDir: fileURLToPath(new URL(`./dist/${mode}`, import.meta.url)),
      emptyOutDir: true,
      assetsDir: 'assets',
      // No source maps in the served output: they would double its size for little use in production.
      sourcemap: false,
    },
    server: { host: '127.0.0.1', port: app.devPort, strictPort: true, proxy, allowedHosts: ['.localhost'] },
    preview: {
      host: '127.0.0.1',
      port: app.previewPort,
      strictPort: true,
      proxy,
      allowedHosts: ['.localhost'],
      headers: securityHeaders(app.csp),
    },
  };
});
