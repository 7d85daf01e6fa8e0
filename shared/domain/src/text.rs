//! Bounded text inputs: display names, e-mail addresses and passwords.

use std::fmt;

/// Why a text input was refused. The message is safe to show to API callers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must be at least {0} characters")]
    TooShort(usize),
    #[error("must not contain control characters")]
    Control,
    #[error("is not a valid e-mail address")]
    Email,
}

/// A human-readable name (tenant name, branding): 1–100 characters, NFC, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 100;

    pub fn parse(s: &str) -> Result<Self, TextError> {
        use unicode_normalization::UnicodeNormalization;
        let s: String = s.trim().nfc().collect();
        if s.is_empty() {
            return Err(TextError::Empty);
        }
        if s.chars().count() > Self::MAX {
            return Err(TextError::TooLong(Self::MAX));
        }
        if s.chars().any(char::is_control) {
            return Err(TextError::Control);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, lower-cased; deliberately simple: one `@`, a dotted domain, ≤ 254 bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub const MAX: usize = 254;

    pub fn parse(s: &str) -> Result<Self, TextError> {
        let s = s.trim().to_lowercase();
        if s.is_empty() {
            return Err(TextError::Empty);
        }
        if s.len() > Self::MAX {
            return Err(TextError::TooLong(Self::MAX));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(TextError::Email);
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.split('.').all(|l| !l.is_empty());
        if local.is_empty()
            || !domain_ok
            || s.chars().any(|c| c.is_whitespace() || c.is_control())
            || domain.contains('@')
        {
            return Err(TextError::Email);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: 12–1024 characters. Never logged: `Debug` prints a placeholder.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 12;
    pub const MAX: usize = 1024;

    pub fn parse(s: &str) -> Result<Self, TextError> {
        let n = s.chars().count();
        if n < Self::MIN {
            return Err(TextError::TooShort(Self::MIN));
        }
        if n > Self::MAX {
            return Err(TextError::TooLong(Self::MAX));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_bounded_and_normalised() {
        assert_eq!(DisplayName::parse("  Acme  ").unwrap().as_str(), "Acme");
        assert_eq!(DisplayName::parse(""), Err(TextError::Empty));
        assert_eq!(DisplayName::parse(&"x".repeat(101)), Err(TextError::TooLong(100)));
        assert_eq!(DisplayName::parse("a\u{0}b"), Err(TextError::Control));
    }

    #[test]
    fn emails_need_a_dotted_domain() {
        assert_eq!(Email::parse("Ada@Example.COM").unwrap().as_str(), "ada@example.com");
        for bad in ["ada", "ada@", "@x.io", "ada@x", "a@b@c.io", "a b@c.io", "a@.io"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_hidden_from_debug() {
        let p = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert!(Password::parse("short").is_err());
    }
}
