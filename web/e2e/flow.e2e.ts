/**
 * End to end against a running platform (control plane, tenant plane, Postgres) with the web
 * apps served: first-run setup → onboard two tenants with the wizard (the first on a
 * tenant-hosted NAS directory, whose live check fails once and is fixed on the ready screen,
 * with an admin password; the second with an invitation, its code taken from the ready screen)
 * → the first tenant's branding colour is set in the console → the console lists the database
 * servers and sandboxes and makes a sandbox API token (shown once, good for /v1/sandboxes only,
 * refused once revoked) → the first tenant's admin signs in at its subdomain (the portal in the
 * colour set), invites a user, creates an API key, turns a module on, uploads, downloads,
 * shares and deletes files → the operator suspends the tenant → its portal shows it suspended →
 * resume → the second tenant's admin accepts the invitation, and its portal shows none of the
 * first tenant's data or files → both tenants in one tab under path routing (`/t/<slug>/`),
 * with the workspace switcher. Screenshots of every main page go to reports/screenshots/.
 * Run with e2e/run.sh.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiFetch, bootstrapToken, consoleErrors, launch, newContext, portalUrl, screenshot, settings } from './browser';
import { acceptInvitation, pathRoutingAndSwitcher, waitForBrand } from './portalSteps';

const run = Date.now().toString(36);
const operator = {
  email: settings.operatorEmail ?? settings.setupEmail ?? `ops-${run}@example.com`,
  password: settings.operatorPassword ?? settings.setupPassword ?? `operator passphrase ${run}`,
};
const alpha = { slug: `alpha-${run}`, name: `Alpha ${run}`, admin: `owner@alpha-${run}.example`, password: `alpha owner passphrase ${run}` };
const beta = { slug: `beta-${run}`, name: `Beta ${run}`, admin: `owner@beta-${run}.example`, password: `beta owner passphrase ${run}` };
const invitee = `ana@alpha-${run}.example`;
const keyName = `reporting-${run}`;
const tokenName = `e2e CI ${run}`;
/** The first tenant's files: a directory standing in for a NAS mount (the platform runs here). */
const nasDir = mkdtempSync('/var/tmp/tenantry-e2e-nas-');
const nas = { bad: join(nasDir, 'not-a-directory', 'files'), good: join(nasDir, 'alpha') };
writeFileSync(join(nasDir, 'not-a-directory'), 'a file where the backend expects a directory');
const fileKey = `notes/hello-${run}.txt`;
const fileBytes = Buffer.from(`Hello from the e2e run ${run}: ünïcödé and a newline\n`, 'utf8');
let signedUrl = '';
/** The second tenant's first admin is invited: the one-time code from the wizard's ready screen. */
let betaInvitation = '';
/** Set on the first tenant's page in the console; its portal must show it. */
const BRAND = '#0b7285';

let browser: Browser;
let consoleCtx: BrowserContext;
let alphaCtx: BrowserContext;
let betaCtx: BrowserContext;
let ops: Page;
let alphaPage: Page;
let alphaApiKey = '';

const PASSWORD = /^Password \*?$/;

async function signInToPortal(page: Page, tenant: typeof alpha) {
  await page.goto(portalUrl(tenant.slug, '/login'));
  await page.getByRole('heading', { level: 1, name: `Sign in to ${tenant.name}` }).waitFor();
  await page.getByLabel(/^E-mail/).fill(tenant.admin);
  await page.getByLabel(PASSWORD).fill(tenant.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: tenant.name }).waitFor();
}

/** Onboards with the wizard; with `invite`, answers the invitation code from the ready screen. */
async function onboard(page: Page, tenant: typeof alpha, shots: boolean, admin: 'password' | 'invite', nasRoot?: string) {
  await page.getByRole('link', { name: 'Onboard', exact: true }).click();
  await page.getByRole('heading', { name: /Step 1 of 5/ }).waitFor();
  await page.getByLabel(/^Tenant name/).fill(tenant.name);
  await page.getByLabel(/^Slug/).fill(tenant.slug);
  await page.getByText('The slug is free.').waitFor();
  if (shots) await screenshot(page, 'console-04-wizard-identity');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radio', { name: /standard/ }).check();
  if (shots) await screenshot(page, 'console-05-wizard-plan');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 3 of 5: Storage/ }).waitFor();
  if (nasRoot) {
    await page.getByRole('radio', { name: /Tenant-hosted/ }).check();
    await page.getByRole('group', { name: 'Primary backend' }).getByLabel('Kind').selectOption('nas');
    await page.getByLabel(/^Mount path/).fill(nasRoot);
  }
  if (shots) await screenshot(page, 'console-15-wizard-storage');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel(/^Admin e-mail/).fill(tenant.admin);
  if (admin === 'password') {
    await page.getByRole('radio', { name: /Set a password/ }).check();
    await page.getByLabel(/^Admin password \*?$/).fill(tenant.password);
    await page.getByLabel(/^Admin password again/).fill(tenant.password);
  } else {
    await page.getByRole('radio', { name: /Send an invitation/ }).check();
  }
  if (shots) await screenshot(page, 'console-06-wizard-admin');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 5 of 5: Review/ }).waitFor();
  if (admin === 'invite') await page.getByText(/invited: a one-time code is shown after creation/).waitFor();
  if (shots) await screenshot(page, 'console-07-wizard-review');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByRole('heading', { name: 'The tenant is ready' }).waitFor({ timeout: 60_000 });
  if (shots) await screenshot(page, 'console-08-wizard-ready');
  if (admin === 'password') return '';
  await page.getByRole('heading', { name: `Invitation for ${tenant.admin}` }).waitFor();
  await page.getByRole('link', { name: /\/accept-invitation$/ }).waitFor();
  const token = ((await page.getByTestId('shown-once-secret').textContent()) ?? '').trim();
  expect(token.length).toBeGreaterThan(16);
  await screenshot(page, 'console-23-wizard-invitation');
  await page.getByRole('button', { name: 'I have stored it' }).click();
  expect(await page.getByText(token).count()).toBe(0);
  return token;
}

beforeAll(async () => {
  browser = await launch();
  consoleCtx = await newContext(browser);
  alphaCtx = await newContext(browser);
  betaCtx = await newContext(browser);
  ops = await consoleCtx.newPage();
  alphaPage = await alphaCtx.newPage();
});

afterAll(async () => {
  await browser?.close();
  rmSync(nasDir, { recursive: true, force: true });
});

describe.sequential('Tenantry in a real browser', () => {
  it('sets up the platform (or signs in) in the console', async () => {
    if (settings.operatorEmail) {
      await ops.goto(`${settings.consoleUrl}/login`);
      await ops.getByLabel(/^E-mail/).fill(operator.email);
      await ops.getByLabel(PASSWORD).fill(operator.password);
      await screenshot(ops, 'console-01-login');
      await ops.getByRole('button', { name: 'Sign in' }).click();
    } else {
      await ops.goto(`${settings.consoleUrl}/`);
      await ops.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
      await screenshot(ops, 'console-01-login');
      await ops.getByRole('link', { name: 'Create the first operator' }).click();
      await ops.getByLabel(/^Bootstrap token/).fill(bootstrapToken());
      await ops.getByLabel(/^Your e-mail/).fill(operator.email);
      await ops.getByLabel(PASSWORD).fill(operator.password);
      await ops.getByLabel(/^Password again/).fill(operator.password);
      await screenshot(ops, 'console-02-setup');
      await ops.getByRole('button', { name: 'Create the first operator' }).click();
    }
    await ops.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await screenshot(ops, 'console-03-tenants-before');
  });

  it('onboards two tenants through the wizard', async () => {
    await onboard(ops, alpha, true, 'password', nas.bad);
    // The tenant exists; its NAS root failed the live check: fix it on the ready screen.
    const primary = ops.getByRole('group', { name: 'Primary backend' });
    await primary.getByRole('alert').waitFor({ timeout: 30_000 });
    expect(await primary.getByRole('alert').innerText()).toMatch(/^primary: /);
    await screenshot(ops, 'console-16-wizard-storage-check-failed');
    await primary.getByLabel(/^Mount path/).fill(nas.good);
    await ops.getByRole('button', { name: 'Check again and save' }).click();
    await ops.getByText(`Files go to NAS mount at ${nas.good}: it passed its live check.`).waitFor({ timeout: 30_000 });
    await ops.getByRole('button', { name: 'Onboard another tenant' }).click();
    await ops.getByRole('heading', { name: /Step 1 of 5/ }).waitFor();
    await ops.getByRole('link', { name: 'Tenants', exact: true }).click();
    betaInvitation = await onboard(ops, beta, false, 'invite');
    await ops.getByRole('link', { name: 'Tenants', exact: true }).click();
    await ops.getByRole('link', { name: alpha.name }).waitFor();
    await ops.getByRole('link', { name: beta.name }).waitFor();
    await screenshot(ops, 'console-09-tenants');
  });

  it('shows the tenant’s detail, jobs and audit in the console', async () => {
    await ops.getByRole('link', { name: alpha.name }).click();
    await ops.getByRole('heading', { level: 1, name: alpha.name }).waitFor();
    await ops.getByRole('heading', { name: 'Recent audit events' }).waitFor();
    await ops.locator('.job').first().waitFor();
    const facts = ops.getByTestId('storage-facts');
    await facts.getByText(`NAS mount at ${nas.good}`).waitFor();
    await facts.getByText('ok', { exact: true }).waitFor();
    await screenshot(ops, 'console-10-tenant-detail');
    // The storage form on the tenant page: the same config again passes the live check.
    await ops.getByRole('button', { name: 'Change the storage backends' }).click();
    expect(await ops.getByLabel(/^Mount path/).inputValue()).toBe(nas.good);
    await ops.getByRole('button', { name: 'Check and save' }).click();
    await ops.getByText('The backends passed their live check and are in use now.').waitFor({ timeout: 30_000 });
    await ops.getByRole('heading', { name: 'Storage', exact: true }).scrollIntoViewIfNeeded();
    await ops.getByRole('button', { name: 'Change the storage backends' }).click();
    await screenshot(ops, 'console-17-tenant-storage');
    await ops.getByRole('button', { name: 'Cancel' }).click();

    // Branding, set by the operator; the portal shows it (checked at the first sign-in).
    const branding = ops.getByRole('region', { name: 'Branding' });
    const color = branding.getByLabel(/^Primary colour/);
    await color.waitFor();
    await color.fill(BRAND);
    await branding.getByTestId('branding-swatch').getByText(`Sample button in ${BRAND}`).waitFor();
    await branding.getByRole('button', { name: 'Save branding' }).click();
    await branding.getByText(/Branding saved/).waitFor();
    await screenshot(ops, 'console-24-tenant-branding');

    await ops.getByRole('link', { name: 'Jobs' }).click();
    await ops.getByRole('heading', { level: 1, name: 'Provisioning jobs' }).waitFor();
    await screenshot(ops, 'console-11-jobs');
    await ops.getByRole('link', { name: 'Audit log' }).click();
    await ops.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await ops.locator('table').first().waitFor();
    await screenshot(ops, 'console-12-audit');
  });

  it('shows the database servers and sandboxes, and makes an API token shown once', async () => {
    await ops.getByRole('link', { name: 'Database servers' }).click();
    await ops.getByRole('heading', { level: 1, name: 'Database servers' }).waitFor();
    await ops.locator('td[data-label="Health"]').first().waitFor();
    await screenshot(ops, 'console-19-servers');
    await ops.getByRole('link', { name: 'Sandboxes' }).click();
    await ops.getByRole('heading', { level: 1, name: 'Sandboxes' }).waitFor();
    await screenshot(ops, 'console-20-sandboxes');

    await ops.getByRole('link', { name: 'Operators & API tokens' }).click();
    await ops.getByRole('cell', { name: operator.email }).waitFor();
    await ops.getByLabel(/^Name/).fill(tokenName);
    await ops.getByRole('button', { name: 'Create token' }).click();
    const secret = ops.getByTestId('shown-once-secret');
    await secret.waitFor();
    const token = (await secret.textContent())?.trim() ?? '';
    expect(token).toMatch(/^tnt_/);
    await screenshot(ops, 'console-21-api-token-shown-once');
    // A sandbox token may list sandboxes and nothing else.
    expect((await apiFetch(ops, '/v1/sandboxes', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await apiFetch(ops, '/v1/tenants', { authorization: `Bearer ${token}` })).status).toBe(403);
    await ops.getByRole('button', { name: 'I have stored it' }).click();
    expect(await ops.getByText(token).count()).toBe(0);
    await ops.getByRole('button', { name: `Revoke ${tokenName}` }).click();
    await ops.getByRole('button', { name: `Yes, revoke ${tokenName}` }).click();
    await ops.getByRole('cell', { name: tokenName, exact: true }).waitFor({ state: 'detached' });
    expect((await apiFetch(ops, '/v1/sandboxes', { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('lets the first tenant’s admin sign in at its subdomain', async () => {
    await alphaPage.goto(portalUrl(alpha.slug, '/'));
    await alphaPage.getByRole('heading', { level: 1, name: `Sign in to ${alpha.name}` }).waitFor();
    await screenshot(alphaPage, 'portal-01-login');
    await signInToPortal(alphaPage, alpha);
    await alphaPage.getByText(`Signed in as ${alpha.admin}`).waitFor();
    // The colour the operator set in the console is the portal's accent.
    expect(await waitForBrand(alphaPage, BRAND)).toBe(BRAND);
    await screenshot(alphaPage, 'portal-02-dashboard');
  });

  it('invites a user', async () => {
    await alphaPage.getByRole('link', { name: 'Users' }).click();
    await alphaPage.getByRole('heading', { level: 1, name: 'Users and roles' }).waitFor();
    await alphaPage.getByLabel(/^E-mail/).fill(invitee);
    await alphaPage.getByLabel('Role', { exact: true }).selectOption('staff');
    await alphaPage.getByRole('button', { name: 'Invite', exact: true }).click();
    // No EMAIL connector: the token comes back once.
    await alphaPage.getByRole('heading', { name: `Invitation for ${invitee}` }).waitFor();
    await screenshot(alphaPage, 'portal-03-users-invited');
    await alphaPage.getByRole('button', { name: 'I have stored it' }).click();
    await alphaPage.getByText(invitee).first().waitFor();
  });

  it('creates an API key, shown once', async () => {
    await alphaPage.getByRole('link', { name: 'API keys' }).click();
    await alphaPage.getByLabel(/^Name/).fill(keyName);
    await alphaPage.getByRole('checkbox', { name: 'audit.read' }).check();
    await alphaPage.getByRole('button', { name: 'Create key' }).click();
    const secret = alphaPage.getByTestId('shown-once-secret');
    await secret.waitFor();
    alphaApiKey = (await secret.textContent())?.trim() ?? '';
    expect(alphaApiKey).toMatch(/^tk_[0-9a-f]{32}_/);
    await screenshot(alphaPage, 'portal-04-api-key-shown-once');
    await alphaPage.getByRole('button', { name: 'I have stored it' }).click();
    expect(await alphaPage.getByText(alphaApiKey).count()).toBe(0);
    await alphaPage.getByRole('cell', { name: keyName, exact: true }).waitFor();
    await screenshot(alphaPage, 'portal-05-api-keys');
    // The key works against this tenant's API.
    const audit = await apiFetch(alphaPage, '/v1/audit-logs?limit=1', { 'x-api-key': alphaApiKey });
    expect(audit.status).toBe(200);
  });

  it('turns a module on', async () => {
    await alphaPage.getByRole('link', { name: 'Modules' }).click();
    const crm = alphaPage.getByRole('switch', { name: 'crm module' });
    await crm.waitFor();
    expect(await crm.getAttribute('aria-checked')).toBe('false');
    await crm.click();
    await alphaPage.waitForFunction(() => document.querySelector('[role=switch][aria-label="crm module"]')?.getAttribute('aria-checked') === 'true');
    await screenshot(alphaPage, 'portal-06-modules');
  });

  it('uploads, lists, downloads, shares and deletes files', async () => {
    await alphaPage.getByRole('link', { name: 'Files', exact: true }).click();
    await alphaPage.getByRole('heading', { level: 1, name: 'Files' }).waitFor();
    await alphaPage.getByText('No files yet. Upload one above.').waitFor();
    await alphaPage.getByText('a network share (NAS)').waitFor();

    const upload = async (key: string, name: string, buffer: Buffer) => {
      await alphaPage.getByLabel('File', { exact: true }).setInputFiles({ name, mimeType: 'text/plain', buffer });
      await alphaPage.getByLabel('Key', { exact: true }).fill(key);
      await alphaPage.getByRole('button', { name: 'Upload', exact: true }).click();
      await alphaPage.getByText(`Uploaded ${key}`).waitFor();
    };
    await upload(fileKey, 'hello.txt', fileBytes);
    await alphaPage.getByRole('cell', { name: fileKey, exact: true }).waitFor();
    const row = alphaPage.getByRole('row').filter({ has: alphaPage.getByRole('cell', { name: fileKey, exact: true }) });
    expect(await row.innerText()).toContain(`${fileBytes.length} bytes`);
    expect(await row.innerText()).toContain('text/plain');
    await alphaPage.getByText(`${fileBytes.length} bytes of 50 GiB used`).waitFor();
    await screenshot(alphaPage, 'portal-18-files');

    // Download: the browser saves it; the bytes are the ones uploaded (sealed on the NAS and back).
    const [download] = await Promise.all([
      alphaPage.waitForEvent('download'),
      alphaPage.getByRole('button', { name: `Download ${fileKey}` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`hello-${run}.txt`);
    expect(readFileSync(await download.path())).toEqual(fileBytes);

    // A signed link works without credentials, from a browser that never signed in.
    await alphaPage.getByRole('button', { name: `Copy signed link ${fileKey}` }).click();
    signedUrl = ((await alphaPage.getByTestId('signed-url').textContent()) ?? '').trim();
    expect(signedUrl).toContain('/v1/files-signed/notes/');
    await screenshot(alphaPage, 'portal-19-files-signed-link');
    await alphaPage.getByRole('button', { name: 'Done' }).click();
    const stranger = await newContext(browser);
    const anonymous = await stranger.newPage();
    await anonymous.goto(portalUrl(alpha.slug, '/login'));
    const fetched = await anonymous.evaluate(async (url) => {
      const signed = await fetch(url, { credentials: 'omit' });
      const bare = await fetch(new URL(url).pathname.replace('/v1/files-signed/', '/v1/files/'), { credentials: 'omit' });
      const forged = await fetch(url.replace(/sig=[^&]+/, 'sig=AAAA'), { credentials: 'omit' });
      return { status: signed.status, bytes: Array.from(new Uint8Array(await signed.arrayBuffer())), bare: bare.status, forged: forged.status };
    }, signedUrl);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(fetched.bytes)).toEqual(fileBytes);
    expect(fetched.bare).toBe(401);
    expect(fetched.forged).toBe(401);
    await stranger.close();

    // Delete, after the confirmation.
    const doomed = `notes/delete-me-${run}.txt`;
    await upload(doomed, 'delete-me.txt', Buffer.from('short-lived'));
    await alphaPage.getByRole('button', { name: `Delete ${doomed}` }).click();
    await alphaPage.getByRole('button', { name: `Yes, delete ${doomed}` }).click();
    await alphaPage.getByText(`Deleted ${doomed}.`).waitFor();
    await alphaPage.getByRole('cell', { name: doomed, exact: true }).waitFor({ state: 'detached' });
    await alphaPage.getByRole('cell', { name: fileKey, exact: true }).waitFor();
  });

  it('shows the other portal pages', async () => {
    const pages: [string, string, string][] = [
      ['Connectors', 'Connectors', 'portal-07-connectors'],
      ['Webhooks', 'Webhooks', 'portal-08-webhooks'],
      ['Audit log', 'Audit log', 'portal-09-audit'],
      ['Settings', 'Workspace settings', 'portal-10-settings'],
    ];
    for (const [link, heading, shot] of pages) {
      await alphaPage.getByRole('link', { name: link, exact: true }).click();
      await alphaPage.getByRole('heading', { level: 1, name: heading }).waitFor();
      if (link === 'Audit log') await alphaPage.getByText('api_key.created').first().waitFor();
      if (link === 'Connectors') await alphaPage.getByRole('heading', { name: 'stripe' }).waitFor();
      await screenshot(alphaPage, shot);
    }
    await alphaPage.locator('a.user-email').click();
    await alphaPage.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    await screenshot(alphaPage, 'portal-11-profile');
  });

  it('is usable 390 px wide', async () => {
    const phone = await newContext(browser, 390);
    const page = await phone.newPage();
    await signInToPortal(page, alpha);
    await screenshot(page, 'portal-12-dashboard-390px');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users and roles' }).waitFor();
    await page.getByText(invitee).first().waitFor();
    await page.getByText(alpha.admin).first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'portal-13-users-390px');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Files' }).click();
    // Below 640 px the table is stacked cards (no table roles in the accessibility tree).
    await page.locator('td[data-label="Key"]', { hasText: fileKey }).waitFor();
    await page.getByRole('button', { name: `Copy signed link ${fileKey}` }).click();
    await page.getByTestId('signed-url').waitFor();
    const filesOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(filesOverflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'portal-20-files-390px');
    await phone.close();

    const phoneOps = await newContext(browser, 390);
    const opsPhone = await phoneOps.newPage();
    await opsPhone.goto(`${settings.consoleUrl}/login`);
    await opsPhone.getByLabel(/^E-mail/).fill(operator.email);
    await opsPhone.getByLabel(PASSWORD).fill(operator.password);
    await opsPhone.getByRole('button', { name: 'Sign in' }).click();
    await opsPhone.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await opsPhone.getByRole('link', { name: alpha.name }).waitFor();
    await screenshot(opsPhone, 'console-13-tenants-390px');
    await opsPhone.getByRole('link', { name: alpha.name }).click();
    await opsPhone.getByRole('button', { name: 'Change the storage backends' }).click();
    await opsPhone.getByRole('checkbox', { name: 'Add a fallback backend' }).check();
    await opsPhone.getByRole('group', { name: 'Fallback backend' }).getByLabel('Kind').selectOption('s3');
    const consoleOverflow = await opsPhone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(consoleOverflow).toBeLessThanOrEqual(0);
    await screenshot(opsPhone, 'console-18-tenant-storage-390px');
    await opsPhone.getByRole('button', { name: 'Menu' }).click();
    await opsPhone.getByRole('link', { name: 'Database servers' }).click();
    await opsPhone.locator('td[data-label="Health"]').first().waitFor();
    const serversOverflow = await opsPhone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(serversOverflow).toBeLessThanOrEqual(0);
    await screenshot(opsPhone, 'console-22-servers-390px');
    await phoneOps.close();
  });

  it('suspends the tenant in the console and the portal shows it suspended', async () => {
    await ops.getByRole('link', { name: 'Tenants', exact: true }).click();
    await ops.getByRole('link', { name: alpha.name }).click();
    await ops.getByLabel('Reason').fill('e2e: unpaid invoice');
    await ops.getByRole('button', { name: 'Suspend tenant' }).click();
    await ops.getByRole('button', { name: 'Resume tenant' }).waitFor();
    await screenshot(ops, 'console-14-tenant-suspended');

    await alphaPage.reload();
    await alphaPage.getByRole('heading', { level: 1, name: 'This workspace is suspended' }).waitFor();
    await screenshot(alphaPage, 'portal-14-suspended');
    const refused = await apiFetch(alphaPage, '/v1/audit-logs?limit=1', { 'x-api-key': alphaApiKey });
    expect(refused.status).toBe(403);
    expect(refused.code).toBe('TENANT_SUSPENDED');
  });

  it('resumes the tenant and the portal works again', async () => {
    await ops.getByRole('button', { name: 'Resume tenant' }).click();
    await ops.getByRole('button', { name: 'Suspend tenant' }).waitFor();
    // The tenant plane drops its cached route on the catalog's NOTIFY; allow it a moment.
    const tryAgain = alphaPage.getByRole('button', { name: 'Try again' });
    for (let i = 0; i < 20 && (await tryAgain.count()) > 0; i++) {
      await tryAgain.click();
      await alphaPage.waitForTimeout(500);
    }
    expect(await tryAgain.count()).toBe(0);
    await alphaPage.getByRole('link', { name: 'Dashboard' }).click();
    await alphaPage.getByRole('heading', { level: 1, name: alpha.name }).waitFor();
    await screenshot(alphaPage, 'portal-15-resumed');
    expect((await apiFetch(alphaPage, '/v1/audit-logs?limit=1', { 'x-api-key': alphaApiKey })).status).toBe(200);
  });

  it('never shows the first tenant’s data in the second tenant’s portal', async () => {
    const page = await betaCtx.newPage();
    // Alpha's session smuggled into Beta's origin is worthless: the token's audience is Alpha.
    const alphaSession = await alphaPage.evaluate(() => sessionStorage.getItem('tenantry.portal.session'));
    expect(alphaSession).not.toBeNull();
    await page.goto(portalUrl(beta.slug, '/login'));
    await page.evaluate((s) => sessionStorage.setItem('tenantry.portal.session', s ?? ''), alphaSession);
    await page.goto(portalUrl(beta.slug, '/users'));
    await page.getByRole('heading', { level: 1, name: `Sign in to ${beta.name}` }).waitFor();
    expect(await page.getByText(alpha.name).count()).toBe(0);

    // Alpha's admin cannot sign in at Beta.
    await page.getByLabel(/^E-mail/).fill(alpha.admin);
    await page.getByLabel(PASSWORD).fill(alpha.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('missing or invalid credentials').waitFor();

    // Beta's first admin was invited: the code from the wizard, a password of their own.
    await page.getByRole('link', { name: 'Accept your invitation' }).click();
    await acceptInvitation(page, beta, betaInvitation, 'portal-22-accept-invitation');
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Signing out ends the session server-side first: wait until the portal has let go of it,
    // or the navigation below races it and /login finds the session still there.
    await page.getByRole('heading', { level: 1, name: `Sign in to ${beta.name}` }).waitFor();
    await signInToPortal(page, beta);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByText(beta.admin).first().waitFor();
    const users = await page.locator('main').innerText();
    expect(users).not.toContain(invitee);
    expect(users).not.toContain(alpha.admin);
    await screenshot(page, 'portal-16-second-tenant-users');

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No API keys yet.').waitFor();
    expect(await page.locator('main').innerText()).not.toContain(keyName);

    await page.getByRole('link', { name: 'Modules' }).click();
    const crm = page.getByRole('switch', { name: 'crm module' });
    await crm.waitFor();
    expect(await crm.getAttribute('aria-checked')).toBe('false');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.locator('table').first().waitFor();
    const audit = await page.locator('main').innerText();
    expect(audit).not.toContain('api_key.created');
    expect(audit).not.toContain(invitee);
    await screenshot(page, 'portal-17-second-tenant-audit');

    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Files' }).waitFor();
    await page.getByText('No files yet. Upload one above.').waitFor();
    expect(await page.locator('main').innerText()).not.toContain(fileKey);
    await page.getByText('the platform’s storage', { exact: true }).waitFor();
    await screenshot(page, 'portal-21-second-tenant-files');
    // Alpha's signed link, presented at Beta's host: Beta's key did not sign it.
    const crossSigned = await page.evaluate(async (url) => {
      const u = new URL(url);
      return (await fetch(u.pathname + u.search, { credentials: 'omit' })).status;
    }, signedUrl);
    expect([401, 404]).toContain(crossSigned);
    expect((await apiFetch(page, `/v1/files/${fileKey}`, { 'x-api-key': alphaApiKey })).status).toBe(401);

    // Alpha's API key at Beta's host: refused.
    const crossKey = await apiFetch(page, '/v1/users', { 'x-api-key': alphaApiKey });
    expect(crossKey.status).toBe(401);
    const crossToken = await apiFetch(page, '/v1/users', { authorization: `Bearer ${JSON.parse(alphaSession ?? '{}').accessToken}` });
    expect(crossToken.status).toBe(401);
  });

  it('serves both portals under path routing in one tab, with the workspace switcher', async () => {
    await pathRoutingAndSwitcher(browser, alpha, beta, invitee);
  });

  it('logged no script errors and no Content-Security-Policy violations', () => {
    expect(consoleErrors).toEqual([]);
  });
});
