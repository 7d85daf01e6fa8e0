import { describe, expect, it } from 'vitest';
import { suggestSlug, validateColor, validateDisplayName, validateEmail, validateHttpsUrl, validateLogoUrl, validatePassword, validateSlug } from './validation';

describe('validateSlug (mirrors shared/domain/src/slug.rs)', () => {
  it('accepts ordinary labels', () => {
    for (const ok of ['acme', 'acme-corp', 'a1b2', 'abc', 'a'.repeat(63)]) {
      expect(validateSlug(ok), ok).toBeNull();
    }
  });

  it('rejects bad labels with the server’s reason', () => {
    expect(validateSlug('ab')).toBe('slug must be 3 to 63 characters long');
    expect(validateSlug('a'.repeat(64))).toBe('slug must be 3 to 63 characters long');
    expect(validateSlug('Acme')).toBe('slug may contain only lower-case letters a-z, digits and hyphens');
    expect(validateSlug('ac_me')).toBe('slug may contain only lower-case letters a-z, digits and hyphens');
    expect(validateSlug('acmé')).toBe('slug may contain only lower-case letters a-z, digits and hyphens');
    expect(validateSlug('-acme')).toBe('slug must start with a letter and end with a letter or digit');
    expect(validateSlug('acme-')).toBe('slug must start with a letter and end with a letter or digit');
    expect(validateSlug('1acme')).toBe('slug must start with a letter and end with a letter or digit');
    expect(validateSlug('xn--acme')).toBe('slug must not contain two hyphens in a row');
    expect(validateSlug('www')).toBe('slug is reserved');
    expect(validateSlug('admin')).toBe('slug is reserved');
  });

  it('counts bytes like the server', () => {
    // Two characters but three bytes: the server reports the characters, not the length.
    expect(validateSlug('aé')).toBe('slug may contain only lower-case letters a-z, digits and hyphens');
  });
});

describe('suggestSlug', () => {
  it('turns a name into a usable slug', () => {
    expect(suggestSlug('Acme Ltd.')).toBe('acme-ltd');
    expect(suggestSlug('  Café  Zürich ')).toBe('cafe-zurich');
    expect(suggestSlug('42 Widgets')).toBe('widgets');
    expect(validateSlug(suggestSlug('Globex Corporation'))).toBeNull();
  });
});

describe('text rules (shared/domain/src/text.rs)', () => {
  it('display names are 1–100 characters without control characters', () => {
    expect(validateDisplayName('  Acme  ')).toBeNull();
    expect(validateDisplayName('   ')).toBe('must not be empty');
    expect(validateDisplayName('x'.repeat(101))).toBe('must be at most 100 characters');
    expect(validateDisplayName('a\u0000b')).toBe('must not contain control characters');
  });

  it('e-mail addresses need a dotted domain', () => {
    expect(validateEmail('Ada@Example.COM')).toBeNull();
    for (const bad of ['ada', 'ada@', '@x.io', 'ada@x', 'a@b@c.io', 'a b@c.io', 'a@.io']) {
      expect(validateEmail(bad), bad).toBe('is not a valid e-mail address');
    }
  });

  it('passwords are 12–1024 characters', () => {
    expect(validatePassword('short')).toBe('must be at least 12 characters');
    expect(validatePassword('a long passphrase')).toBeNull();
    expect(validatePassword('x'.repeat(1025))).toBe('must be at most 1024 characters');
  });

  it('branding values', () => {
    expect(validateColor('#1f4e8c')).toBeNull();
    expect(validateColor('blue')).not.toBeNull();
    expect(validateHttpsUrl('https://cdn.example.com/logo.png')).toBeNull();
    expect(validateHttpsUrl('http://cdn.example.com/logo.png')).toBe('must be an https URL');
  });
});

describe('validateLogoUrl (mirrors shared/domain Branding::validate)', () => {
  it('takes https URLs up to 2048 characters', () => {
    expect(validateLogoUrl('https://cdn.example.com/logo.svg')).toBeNull();
    expect(validateLogoUrl(`https://cdn.example.com/${'a'.repeat(2048 - 24)}`)).toBeNull();
  });

  it('refuses other schemes, junk and longer URLs', () => {
    const message = 'must be an https URL of at most 2048 characters';
    expect(validateLogoUrl('http://cdn.example.com/logo.svg')).toBe(message);
    expect(validateLogoUrl('logo.svg')).toBe(message);
    expect(validateLogoUrl(`https://cdn.example.com/${'a'.repeat(2048 - 23)}`)).toBe(message);
  });
});
