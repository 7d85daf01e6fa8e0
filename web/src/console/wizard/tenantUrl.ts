/**
 * The URL a new tenant will be served at, for the wizard's preview. The control plane builds
 * it from `TENANTRY_TENANT_URL_TEMPLATE` (`http://{slug}.localhost:8081` by default) but does
 * not publish the template, so the console takes it from, in order:
 *  1. `<meta name="tenantry-tenant-url-template" content="https://{slug}.example.com">` in
 *     index.html, if the server injects one;
 *  2. any existing tenant's `url` with its slug replaced by `{slug}`;
 *  3. nothing: the preview then says the URL is shown after creation.
 */
export function templateFromMeta(doc: Document = document): string | null {
  const content = doc.querySelector('meta[name="tenantry-tenant-url-template"]')?.getAttribute('content');
  return content && content.includes('{slug}') ? content : null;
}

export function templateFromTenant(sample: { slug: string; url: string } | undefined): string | null {
  if (!sample) return null;
  try {
    const url = new URL(sample.url);
    const labels = url.hostname.split('.');
    if (labels[0] !== sample.slug) return null;
    return sample.url.replace(`//${sample.slug}.`, '//{slug}.');
  } catch {
    return null;
  }
}

export function tenantUrl(template: string | null, slug: string): string | null {
  return template ? template.replace('{slug}', slug) : null;
}
