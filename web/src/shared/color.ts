/** Colours as both apps use them: `#rrggbb`, its luminance, and a readable text colour on it. */

export const HEX = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

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
