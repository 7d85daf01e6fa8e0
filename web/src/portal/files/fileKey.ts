/**
 * File keys as the server parses them (shared/storage/src/key.rs `ObjectKey::parse`), with its
 * messages, so a bad key is caught before the bytes are sent. The server stays the authority
 * (its `422` names the field `key`).
 */

const MAX_KEY_BYTES = 1024;
const FORBIDDEN = /[\\\p{Cc}]/u;

/** Non-ASCII characters whose compatibility form contains `/`, `\` or `.` (fullwidth solidus…). */
function looksLikeSeparator(c: string): boolean {
  return c.charCodeAt(0) > 0x7f && /[/\\.]/.test(c.normalize('NFKC'));
}

export function validateFileKey(raw: string): string | null {
  const key = raw.normalize('NFC');
  if (key.length === 0) return 'the key is empty';
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  if (FORBIDDEN.test(key)) return 'backslashes and control characters are not allowed';
  if ([...key].some(looksLikeSeparator)) return "characters that look like '/', '\\' or '.' are not allowed";
  for (const segment of key.split('/')) {
    if (segment === '') return "the key must not start or end with '/' or contain empty segments";
    if (segment === '.' || segment === '..') return "'.' and '..' segments are not allowed";
  }
  return null;
}

/** The last segment: what a download is saved as. */
export function fileName(key: string): string {
  return key.split('/').pop() || 'file';
}
