/**
 * Steps of the end-to-end flow (flow.e2e.ts) for the first admin's invitation and the portal
 * under path routing: accepting an owner invitation, the tenant's branding colour, and one tab
 * signed in to two tenants at `/t/<slug>/…` with the workspace switcher.
 */
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { newContext, pathPortalUrl, screenshot } from './browser';

export interface E2eTenant {
  slug: string;
  name: string;
  admin: string;
  password: string;
}

/**
 * On the portal's `/accept-invitation` page: the invited first admin pastes the code, picks a
 * password, and is signed in.
 */
export async function acceptInvitation(page: Page, tenant: E2eTenant, token: string, shot?: string) {
  await page.getByRole('heading', { level: 1, name: `Join ${tenant.name}` }).waitFor();
  expect(new URL(page.url()).pathname).toMatch(/\/accept-invitation$/);
  await page.getByLabel(/^Invitation token/).fill(token);
  await page.getByLabel(/^Choose a password/).fill(tenant.password);
  if (shot) await screenshot(page, shot);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('heading', { level: 1, name: tenant.name }).waitFor();
  await page.getByText(`Signed in as ${tenant.admin}`).waitFor();
}

/** The tenant's colour as the portal applied it (`--brand` on the root element), reloading until it shows. */
export async function waitForBrand(page: Page, color: string): Promise<string> {
  let brand = '';
  for (let i = 0; i < 20; i++) {
    brand = await page.evaluate(() => document.documentElement.style.getPropertyValue('--brand').trim());
    if (brand === color) break;
    await page.waitForTimeout(500);
    await page.reload();
    await page.locator('h1').first().waitFor();
  }
  return brand;
}

async function signInAt(page: Page, tenant: E2eTenant) {
  await page.getByRole('heading', { level: 1, name: `Sign in to ${tenant.name}` }).waitFor();
  await page.getByLabel(/^E-mail/).fill(tenant.admin);
  await page.getByLabel(/^Password \*?$/).fill(tenant.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: tenant.name }).waitFor();
}

/**
 * One tab, one shared host: sign in to the first tenant at `/t/<first>/`, then to the second
 * through "Sign in to another workspace"; the switcher lists both, opens the first's dashboard,
 * and the second's users page shows none of the first's users.
 */
export async function pathRoutingAndSwitcher(browser: Browser, first: E2eTenant, second: E2eTenant, firstsUser: string) {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(pathPortalUrl(first.slug, '/'));
  await signInAt(page, first);
  // The router's basename keeps every page under the tenant's prefix.
  expect(page.url().startsWith(pathPortalUrl(first.slug, ''))).toBe(true);
  await page.getByText(`Signed in as ${first.admin}`).waitFor();
  const keys = await page.evaluate(() => Object.keys(sessionStorage));
  expect(keys).toContain(`tenantry.portal.session.${first.slug}`);
  expect(keys).not.toContain('tenantry.portal.session');

  await page.getByRole('button', { name: 'Other workspaces' }).click();
  await page.getByLabel(/^Workspace slug/).fill(second.slug);
  await page.getByRole('button', { name: 'Sign in to another workspace' }).click();
  await page.waitForURL(pathPortalUrl(second.slug, '/login'));
  await signInAt(page, second);

  await page.getByRole('button', { name: 'Switch workspace' }).click();
  const switcher = page.getByRole('navigation', { name: 'Switch workspace' });
  await switcher.getByRole('link', { name: first.name, exact: true }).waitFor();
  expect(await switcher.getByRole('link').count()).toBe(2);
  expect(await switcher.getByRole('link', { name: second.name, exact: true }).getAttribute('aria-current')).toBe('page');
  expect(await switcher.getByRole('link', { name: first.name, exact: true }).getAttribute('aria-current')).toBeNull();
  await screenshot(page, 'portal-23-path-routing-switcher');

  await switcher.getByRole('link', { name: first.name, exact: true }).click();
  await page.waitForURL(pathPortalUrl(first.slug, '/'));
  await page.getByRole('heading', { level: 1, name: first.name }).waitFor();
  await page.getByText(`Signed in as ${first.admin}`).waitFor();
  await screenshot(page, 'portal-24-path-routing-first-dashboard');

  await page.goto(pathPortalUrl(second.slug, '/users'));
  await page.getByRole('heading', { level: 1, name: 'Users and roles' }).waitFor();
  await page.getByText(second.admin).first().waitFor();
  const users = await page.locator('main').innerText();
  expect(users).not.toContain(first.admin);
  expect(users).not.toContain(firstsUser);
  await screenshot(page, 'portal-25-path-routing-second-tenant-users');
  await context.close();
}
