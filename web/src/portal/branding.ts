/**
 * The tenant's branding on the page: its primary colour as the accent (with a text colour that
 * stays readable on it) and its name in the title. Set through CSSOM, which a CSP without
 * `'unsafe-inline'` styles allows.
 */
import type { ProfileView } from './types';
import { HEX, textOn } from '../shared/color';

export { luminance, textOn } from '../shared/color';

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
