//! Object keys: what a caller may name. A key is a relative path of `/`-separated segments.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// Why a key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is empty")]
    Empty,
    #[error("the key is longer than {0} bytes")]
    TooLong(usize),
    #[error("the key must not start or end with '/' or contain empty segments")]
    Slashes,
    #[error("'.' and '..' segments are not allowed")]
    DotSegment,
    #[error("backslashes and control characters are not allowed")]
    Forbidden,
    #[error("characters that look like '/', '\\' or '.' are not allowed")]
    LookAlike,
}

/// A validated object key: Unicode NFC, at most 1024 bytes, no leading or trailing `/`, no empty,
/// `.` or `..` segments, no backslash, no control character, and no character that compatibility
/// normalisation turns into a separator or a dot (fullwidth solidus, one-dot leader …), so a key
/// means the same thing to every backend and cannot climb out of its prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, KeyError> {
        let key: String = raw.nfc().collect();
        if key.is_empty() {
            return Err(KeyError::Empty);
        }
        if key.len() > Self::MAX_BYTES {
            return Err(KeyError::TooLong(Self::MAX_BYTES));
        }
        if key.chars().any(|c| c == '\\' || c.is_control()) {
            return Err(KeyError::Forbidden);
        }
        let look_alike = |c: char| !c.is_ascii() && std::iter::once(c).nfkc().any(|n| matches!(n, '/' | '\\' | '.'));
        if key.chars().any(look_alike) {
            return Err(KeyError::LookAlike);
        }
        for segment in key.split('/') {
            match segment {
                "" => return Err(KeyError::Slashes),
                "." | ".." => return Err(KeyError::DotSegment),
                _ => {}
            }
        }
        Ok(Self(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `prefix/self` (the prefix is trusted, e.g. a tenant's).
    pub(crate) fn under(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.0)
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_keys_pass_and_are_normalised() {
        for ok in ["a", "reports/2026/q1.pdf", "ünïcode/ファイル.txt", "dots.in.names", "%2e%2e/literal", "a..b"]
        {
            assert!(ObjectKey::parse(ok).is_ok(), "{ok}");
        }
        // NFD and NFC spellings are one key.
        assert_eq!(ObjectKey::parse("cafe\u{301}").unwrap(), ObjectKey::parse("caf\u{e9}").unwrap());
    }

    #[test]
    fn escapes_and_tricks_are_refused() {
        let long = "a".repeat(1025);
        for (bad, err) in [
            ("", KeyError::Empty),
            (long.as_str(), KeyError::TooLong(1024)),
            ("/etc/passwd", KeyError::Slashes),
            ("a//b", KeyError::Slashes),
            ("a/", KeyError::Slashes),
            ("../other-tenant/x", KeyError::DotSegment),
            ("a/./b", KeyError::DotSegment),
            ("a/..", KeyError::DotSegment),
            ("a\\..\\b", KeyError::Forbidden),
            ("nul\u{0}byte", KeyError::Forbidden),
            ("line\nbreak", KeyError::Forbidden),
            ("a\u{ff0f}..\u{ff0f}b", KeyError::LookAlike),
            ("a\u{2024}\u{2024}/b", KeyError::LookAlike),
            ("a\u{ff3c}b", KeyError::LookAlike),
        ] {
            assert_eq!(ObjectKey::parse(bad), Err(err), "{bad:?}");
        }
    }
}
