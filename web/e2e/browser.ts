/**
 * Browser and settings for the end-to-end run: the machine's Chromium driven by playwright-core
 * (../../shared/TEST-INFRA.md: Playwright cannot download its own browsers here), the URLs of
 * the running platform, and screenshots under reports/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PORTAL_URL = process.env.TENANTRY_E2E_PORTAL_URL ?? 'http://{slug}.localhost:8081';

/**
 * The same tenant plane under path routing: `http://{slug}.localhost:18081` →
 * `http://localhost:18081/t/{slug}` (the slug's label dropped from the host, `/t/{slug}` added).
 */
export function pathRoutedTemplate(hostTemplate: string): string | null {
  const m = /^(https?:\/\/)\{slug\}\.([^/]+)\/?$/.exec(hostTemplate);
  return m ? `${m[1]}${m[2]}/t/{slug}` : null;
}

export const settings = {
  /** Where the console is served (the control plane, or a preview server proxying to it). */
  consoleUrl: process.env.TENANTRY_E2E_CONSOLE_URL ?? 'http://127.0.0.1:8080',
  /** Each tenant's portal; `{slug}` is replaced. */
  portalUrl: PORTAL_URL,
  /** Each tenant's portal under path routing (one host for all); `{slug}` is replaced. */
  pathPortalUrl: process.env.TENANTRY_E2E_PATH_PORTAL_URL ?? pathRoutedTemplate(PORTAL_URL),
  chromium: process.env.TENANTRY_E2E_CHROMIUM ?? '/usr/bin/chromium',
  screenshots: process.env.TENANTRY_E2E_SCREENSHOTS ?? resolve(REPO_ROOT, 'reports', 'screenshots'),
  /** An existing operator, for a platform that was set up before; otherwise first-run setup runs. */
  operatorEmail: process.env.TENANTRY_E2E_OPERATOR_EMAIL,
  operatorPassword: process.env.TENANTRY_E2E_OPERATOR_PASSWORD,
  /** The operator first-run setup creates on a fresh platform (random when unset). */
  setupEmail: process.env.TENANTRY_E2E_SETUP_EMAIL,
  setupPassword: process.env.TENANTRY_E2E_SETUP_PASSWORD,
};

export function bootstrapToken(): string {
  const file = process.env.TENANTRY_BOOTSTRAP_TOKEN_FILE;
  if (!file) throw new Error('set TENANTRY_BOOTSTRAP_TOKEN_FILE to the file holding the bootstrap token');
  return readFileSync(file, 'utf8').trim();
}

export function portalUrl(slug: string, path = '/'): string {
  return settings.portalUrl.replace('{slug}', slug) + path;
}

/** A tenant's portal under path routing, e.g. `http://localhost:18081/t/acme/login`. */
export function pathPortalUrl(slug: string, path = '/'): string {
  if (!settings.pathPortalUrl) {
    throw new Error(`cannot derive a path-routed URL from ${settings.portalUrl}: set TENANTRY_E2E_PATH_PORTAL_URL`);
  }
  return settings.pathPortalUrl.replaceAll('{slug}', slug) + path;
}

/**
 * A request from inside the page (same origin, Chromium's resolver: Node's does not resolve
 * `*.localhost`), answering the status and the error code, if any.
 */
export async function apiFetch(page: Page, path: string, headers: Record<string, string>) {
  return page.evaluate(
    async ({ path, headers }) => {
      const response = await fetch(path, { headers });
      const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
      return { status: response.status, code: body?.error?.code ?? null };
    },
    { path, headers },
  );
}

/** TEST-INFRA.md's flags: headless, no sandbox (root in CI), nothing phoning home. */
export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: settings.chromium,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Console errors of every page, e.g. a Content-Security-Policy violation; the run expects none. */
export const consoleErrors: string[] = [];

export async function newContext(browser: Browser, width = 1280): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(15_000);
  context.on('page', (page) => watch(page));
  return context;
}

function watch(page: Page) {
  page.on('console', (message) => {
    // Failed API calls are logged by Chromium as errors too; those are expected (401, 403…).
    if (message.type() === 'error' && !/status of [45]\d\d/.test(message.text())) {
      consoleErrors.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(settings.screenshots, { recursive: true });
  // Let fonts and the last state change settle; the pages have no animations to wait out.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.screenshot({ path: resolve(settings.screenshots, `${name}.png`), fullPage: true });
}
