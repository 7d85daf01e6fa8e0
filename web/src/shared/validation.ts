/**
 * Client-side checks that mirror the server's parsers (shared/domain: `TenantSlug`,
 * `DisplayName`, `Email`, `Password`), with the same messages, so the user sees the server's
 * rule before submitting. The server stays the authority: its `VALIDATION_FAILED` message is
 * shown at the field it names.
 *
 * Each function returns an error message, or null when the value is acceptable.
 */

/** shared/domain/src/slug.rs `RESERVED_SLUGS`. Keep in step with it. */
export const RESERVED_SLUGS: readonly string[] = [
  'www', 'api', 'admin', 'app', 'apps', 'console', 'control', 'dashboard', 'docs', 'help', 'mail',
  'smtp', 'imap', 'ftp', 'static', 'assets', 'cdn', 'status', 'support', 'auth', 'login', 'logout',
  'signup', 'register', 'billing', 'system', 'root', 'tenantry', 'tenant', 'tenants', 'internal',
  'localhost', 'default', 'test', 'dev', 'staging', 'prod', 'health', 'ready', 'metrics', 'ns1',
  'ns2', 'postgres', 'template',
];

export function validateSlug(slug: string): string | null {
  // Bytes, as the server counts them.
  const bytes = new TextEncoder().encode(slug).length;
  if (bytes < 3 || bytes > 63) return 'slug must be 3 to 63 characters long';
  if (!/^[a-z0-9-]+$/.test(slug)) return 'slug may contain only lower-case letters a-z, digits and hyphens';
  if (!/^[a-z]/.test(slug) || slug.endsWith('-')) return 'slug must start with a letter and end with a letter or digit';
  if (slug.includes('--')) return 'slug must not contain two hyphens in a row';
  if (RESERVED_SLUGS.includes(slug)) return 'slug is reserved';
  return null;
}

/** A slug suggestion from a display name: "Acme Ltd." → "acme-ltd". May still be invalid. */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

const CONTROL = /\p{Cc}/u;

export function validateDisplayName(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'must not be empty';
  if ([...trimmed.normalize('NFC')].length > 100) return 'must be at most 100 characters';
  if (CONTROL.test(trimmed)) return 'must not contain control characters';
  return null;
}

export function validateEmail(email: string): string | null {
  const s = email.trim().toLowerCase();
  if (s.length === 0) return 'must not be empty';
  if (new TextEncoder().encode(s).length > 254) return 'must be at most 254 characters';
  const at = s.indexOf('@');
  if (at <= 0) return 'is not a valid e-mail address';
  const domain = s.slice(at + 1);
  const domainOk =
    domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.') && domain.split('.').every((l) => l.length > 0);
  if (!domainOk || domain.includes('@') || /[\s\p{Cc}]/u.test(s)) return 'is not a valid e-mail address';
  return null;
}

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

export function validatePassword(password: string): string | null {
  const n = [...password].length;
  if (n < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (n > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  return null;
}

export function validateReason(reason: string): string | null {
  if ([...reason].length > 500) return 'must be at most 500 characters';
  if (CONTROL.test(reason)) return 'must not contain control characters';
  return null;
}

/** `#rrggbb`, as `PATCH /v1/tenant` accepts for `branding.primaryColor`. */
export function validateColor(color: string): string | null {
  return /^#[0-9a-fA-F]{6}$/.test(color) ? null : 'must be a colour as #rrggbb';
}

export function validateHttpsUrl(url: string): string | null {
  try {
    return new URL(url).protocol === 'https:' ? null : 'must be an https URL';
  } catch {
    return 'must be an https URL';
  }
}

/**
 * A logo address as the platform stores it (shared/domain `Branding::validate`): an `https://`
 * URL with a host, at most 2048 bytes.
 */
export function validateLogoUrl(url: string): string | null {
  const message = 'must be an https URL of at most 2048 characters';
  if (new TextEncoder().encode(url).length > 2048) return message;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.hostname ? null : message;
  } catch {
    return message;
  }
}
