//! How a tenant's apps look: its primary colour and logo. Set by the tenant's admins
//! (`PATCH /v1/tenant`) or by an operator (`PUT /v1/tenants/{slug}/branding`); both parse it here.

use serde::{Deserialize, Serialize};

/// The longest logo URL accepted.
pub const LOGO_URL_MAX: usize = 2048;

// Deserialize, then call `validate` before storing it.
/// How the tenant's apps look.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Branding {
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_color: Option<String>,
    /// An `https://` URL, at most 2048 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

/// Which field of a [`Branding`] is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct BrandingError {
    /// `primaryColor` or `logoUrl`.
    pub field: &'static str,
    pub message: String,
}

impl Branding {
    pub fn validate(&self) -> Result<(), BrandingError> {
        if let Some(color) = &self.primary_color {
            let ok = color.len() == 7 && color.starts_with('#') && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err(BrandingError { field: "primaryColor", message: "must be #rrggbb".into() });
            }
        }
        if let Some(logo) = &self.logo_url {
            let ok = logo.len() <= LOGO_URL_MAX
                && url::Url::parse(logo).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some());
            if !ok {
                return Err(BrandingError {
                    field: "logoUrl",
                    message: format!("must be an https URL of at most {LOGO_URL_MAX} characters"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branding(color: Option<&str>, logo: Option<&str>) -> Branding {
        Branding { primary_color: color.map(Into::into), logo_url: logo.map(Into::into) }
    }

    #[test]
    fn colours_are_hex_triplets_and_logos_https_urls() {
        assert!(branding(Some("#0b7285"), Some("https://cdn.example.com/logo.svg")).validate().is_ok());
        assert!(branding(None, None).validate().is_ok());
        for bad in ["0b7285", "#0b728", "#0b72855", "#0g7285", "red", "#éééé"] {
            assert_eq!(branding(Some(bad), None).validate().unwrap_err().field, "primaryColor", "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(LOGO_URL_MAX));
        for bad in ["http://example.com/logo.png", "javascript:alert(1)", "https://", "logo.png", long.as_str()] {
            assert_eq!(branding(None, Some(bad)).validate().unwrap_err().field, "logoUrl", "{bad}");
        }
    }
}
