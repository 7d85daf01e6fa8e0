/**
 * The tenant's branding on the page: its primary colour as the accent (with a text colour that
 * stays readable on it) and its name in the title. Set through CSSOM, which a CSP without
 * `'unsafe-inline'` styles allows.
 */
import type { ProfileView } from './types';

const HEX = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

/** WCAG relative luminance of `#rrggbb`, or null. */
export function luminance(color: string): number | null {
  const m = HEX.exec(color);
  if (!m) return null;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
    const c = parseInt(h ?? '0', 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black or white, whichever contrasts more with the background. */
export function textOn(color: string): string {
  const l = luminance(color);
  if (l === null) return '#ffffff';
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

export function applyBranding(tenant: ProfileView, root: HTMLElement = document.documentElement): void {
  const color = tenant.branding.primaryColor;
  if (color && HEX.test(color)) {
    root.style.setProperty('--brand', color);
    root.style.setProperty('--on-brand', textOn(color));
  } else {
    root.style.removeProperty('--brand');
    root.style.removeProperty('--on-brand');
  }
}
