import { describe, expect, it } from 'vitest';
import { fileName, validateFileKey } from './fileKey';

describe('validateFileKey (mirrors shared/storage/src/key.rs)', () => {
  it('accepts relative paths', () => {
    for (const ok of ['a.txt', 'reports/2026/q1.pdf', 'été/photo 1.jpg', '.hidden', 'x'.repeat(1024)]) {
      expect(validateFileKey(ok), ok).toBeNull();
    }
  });

  it('refuses what the server refuses, with its messages', () => {
    expect(validateFileKey('')).toBe('the key is empty');
    expect(validateFileKey('é'.repeat(513))).toBe('the key is longer than 1024 bytes');
    expect(validateFileKey('/a')).toBe("the key must not start or end with '/' or contain empty segments");
    expect(validateFileKey('a//b')).toBe("the key must not start or end with '/' or contain empty segments");
    expect(validateFileKey('a/../b')).toBe("'.' and '..' segments are not allowed");
    expect(validateFileKey('a\\b')).toBe('backslashes and control characters are not allowed');
    expect(validateFileKey('a\nb')).toBe('backslashes and control characters are not allowed');
    expect(validateFileKey('a\uFF0Fb')).toBe("characters that look like '/', '\\' or '.' are not allowed");
  });

  it('names a download after the last segment', () => {
    expect(fileName('reports/2026/q1.pdf')).toBe('q1.pdf');
    expect(fileName('notes.txt')).toBe('notes.txt');
  });
});
