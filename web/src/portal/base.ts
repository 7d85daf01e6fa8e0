/**
 * Where this portal is served: at a tenant's own host (`acme.example.com/…`, the base is the
 * root) or, under the tenant plane's path routing, at `/t/<slug>/…` on a shared host. Under
 * path routing every API call goes to `/t/<slug>/v1/…`, the router's basename is `/t/<slug>`
 * and the session is kept per tenant (several tenants share one origin, so one storage).
 */

/** `/t/<slug>` or `/t/<slug>/…`; the slug as the tenant plane's `/t/{tenant_slug}` scope takes it. */
const PATH_ROUTED = /^\/t\/([a-z0-9][a-z0-9-]*)(\/|$)/;

export interface PortalBase {
  /** The tenant named by the path, or null on a host-based origin. */
  slug: string | null;
  /** `/t/<slug>` under path routing, `''` otherwise: prefix for API paths and the router. */
  prefix: string;
}

export const HOST_BASED: PortalBase = { slug: null, prefix: '' };

export function detectBase(pathname: string): PortalBase {
  const slug = PATH_ROUTED.exec(pathname)?.[1];
  return slug ? { slug, prefix: `/t/${slug}` } : HOST_BASED;
}

/** This page's base, from `location.pathname`. */
export function currentBase(): PortalBase {
  return typeof window === 'undefined' ? HOST_BASED : detectBase(window.location.pathname);
}

/** The portal's address for a tenant under path routing, e.g. `/t/acme/login`. */
export function pathRoutedUrl(slug: string, path = '/'): string {
  return `/t/${slug}${path}`;
}
