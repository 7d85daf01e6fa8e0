import { describe, expect, it } from 'vitest';
import { applyBranding, textOn } from './branding';
import { TENANT } from '../test/render';

describe('branding', () => {
  it('picks a readable text colour for the tenant’s colour', () => {
    expect(textOn('#ffff00')).toBe('#000000');
    expect(textOn('#1f4e8c')).toBe('#ffffff');
    expect(textOn('nonsense')).toBe('#ffffff');
  });

  it('applies the colour as CSS custom properties and clears them again', () => {
    const root = document.createElement('div');
    applyBranding(TENANT, root);
    expect(root.style.getPropertyValue('--brand')).toBe('#123456');
    expect(root.style.getPropertyValue('--on-brand')).toBe('#ffffff');
    applyBranding({ ...TENANT, branding: {} }, root);
    expect(root.style.getPropertyValue('--brand')).toBe('');
  });
});
