/**
 * The workspaces this tab is signed in to, for the switcher. Under path routing every tenant's
 * portal shares one origin, so one `sessionStorage`, where each session has its own key
 * (`tenantry.portal.session.<slug>`); the switcher lists those that are still usable.
 * On a tenant's own origin there is only `tenantry.portal.session`: nothing to switch to.
 */
import { SESSION_KEY, SESSION_LIFETIME_MS, isTenantTokens } from '../api/tenant';
import { pathRoutedUrl } from './base';

export interface Workspace {
  slug: string;
  /** The display name stored at sign-in, else the slug. */
  name: string;
  /** Where its portal is: `/t/<slug>/`. */
  href: string;
  current: boolean;
}

const PER_TENANT_KEY = new RegExp(`^${SESSION_KEY.replaceAll('.', '\\.')}\\.([a-z0-9][a-z0-9-]*)$`);

function sessionAt(storage: Storage, key: string) {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(key) ?? 'null');
    return isTenantTokens(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Signed-in workspaces, by name; invalid and expired sessions are left out. */
export function listWorkspaces(storage: Storage | null, currentSlug: string | null, now: number = Date.now()): Workspace[] {
  if (!storage) return [];
  const found: Workspace[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    const slug = key ? PER_TENANT_KEY.exec(key)?.[1] : undefined;
    if (!key || !slug) continue;
    const session = sessionAt(storage, key);
    if (!session) continue;
    if (session.signedInAt !== undefined && session.signedInAt + SESSION_LIFETIME_MS <= now) continue;
    found.push({ slug, name: session.tenantName || slug, href: pathRoutedUrl(slug, '/'), current: slug === currentSlug });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug));
}

/** This tab's storage, if the browser allows it. */
export function tabStorage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}
