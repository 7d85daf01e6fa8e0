//! The module registry: optional feature sets a tenant switches on. Each has a settings schema
//! validated here; endpoints of a module that is off answer `403 MODULE_DISABLED`.

use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::auth::Caller;

/// A module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Booking,
    Ecommerce,
    Crm,
    Support,
    Analytics,
    AiAssistant,
}

impl Module {
    pub const ALL: [Module; 6] =
        [Module::Booking, Module::Ecommerce, Module::Crm, Module::Support, Module::Analytics, Module::AiAssistant];

    pub fn key(self) -> &'static str {
        match self {
            Module::Booking => "booking",
            Module::Ecommerce => "ecommerce",
            Module::Crm => "crm",
            Module::Support => "support",
            Module::Analytics => "analytics",
            Module::AiAssistant => "ai_assistant",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }

    pub fn description(self) -> &'static str {
        match self {
            Module::Booking => "Appointments and resources.",
            Module::Ecommerce => "Products and orders.",
            Module::Crm => "Contacts: CRUD, search, pagination.",
            Module::Support => "Tickets: open → pending → resolved → closed, with assignees.",
            Module::Analytics => "Usage dashboards.",
            Module::AiAssistant => "An assistant over the tenant's data.",
        }
    }

    /// Whether the module's endpoints exist yet (the others can be configured ahead).
    pub fn available(self) -> bool {
        matches!(self, Module::Crm | Module::Support)
    }

    /// Validates `config` against the module's schema and returns it with defaults filled in.
    pub fn validate_config(self, config: Value) -> Result<Value, ApiError> {
        match self {
            Module::Booking => check::<BookingConfig>(config, |c| {
                range("slotMinutes", c.slot_minutes, 5, 240)?;
                text("timezone", &c.timezone, 64)
            }),
            Module::Ecommerce => check::<EcommerceConfig>(config, |c| {
                if c.currency.len() == 3 && c.currency.bytes().all(|b| b.is_ascii_uppercase()) {
                    Ok(())
                } else {
                    Err(ApiError::validation("config.currency", "must be an ISO 4217 code such as EUR"))
                }
            }),
            Module::Crm => check::<CrmConfig>(config, |_| Ok(())),
            Module::Support => check::<SupportConfig>(config, |c| range("autoCloseDays", c.auto_close_days, 1, 365)),
            Module::Analytics => {
                check::<AnalyticsConfig>(config, |c| range("retentionDays", c.retention_days, 1, 3650))
            }
            Module::AiAssistant => check::<AiAssistantConfig>(config, |c| text("model", &c.model, 100)),
        }
    }
}

fn check<T: DeserializeOwned + Serialize>(
    config: Value,
    rules: impl FnOnce(&T) -> Result<(), ApiError>,
) -> Result<Value, ApiError> {
    let parsed: T = serde_json::from_value(config).map_err(|err| ApiError::validation("config", err))?;
    rules(&parsed)?;
    serde_json::to_value(parsed).map_err(ApiError::internal)
}

fn range(field: &str, value: u32, min: u32, max: u32) -> Result<(), ApiError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ApiError::validation(&format!("config.{field}"), format!("must be between {min} and {max}")))
    }
}

fn text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        Err(ApiError::validation(&format!("config.{field}"), format!("must be 1 to {max} characters")))
    } else {
        Ok(())
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
struct BookingConfig {
    slot_minutes: u32,
    timezone: String,
}

impl Default for BookingConfig {
    fn default() -> Self {
        Self { slot_minutes: 30, timezone: "UTC".into() }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct EcommerceConfig {
    currency: String,
}

impl Default for EcommerceConfig {
    fn default() -> Self {
        Self { currency: "EUR".into() }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
struct CrmConfig {
    /// Refuse a second contact with the same e-mail.
    unique_emails: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
struct SupportConfig {
    auto_close_days: u32,
}

impl Default for SupportConfig {
    fn default() -> Self {
        Self { auto_close_days: 14 }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
struct AnalyticsConfig {
    retention_days: u32,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        Self { retention_days: 365 }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct AiAssistantConfig {
    model: String,
}

impl Default for AiAssistantConfig {
    fn default() -> Self {
        Self { model: "default".into() }
    }
}

/// `403 MODULE_DISABLED` unless `module` is on for the caller's tenant; returns its config.
pub async fn require(caller: &Caller, module: Module) -> Result<Value, ApiError> {
    let client = caller.ctx.client().await?;
    let row = client
        .query_opt("SELECT config FROM modules WHERE key = $1 AND enabled", &[&module.key()])
        .await
        .map_err(ApiError::internal)?;
    row.map(|r| r.get(0)).ok_or_else(|| {
        ApiError::new(ErrorCode::MODULE_DISABLED, format!("the {} module is turned off for this tenant", module.key()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_get_defaults_and_refuse_bad_values() {
        assert_eq!(Module::Support.validate_config(serde_json::json!({})).unwrap()["autoCloseDays"], 14);
        assert!(Module::Support.validate_config(serde_json::json!({ "autoCloseDays": 0 })).is_err());
        assert!(Module::Crm.validate_config(serde_json::json!({ "extra": 1 })).is_err());
        assert!(Module::Ecommerce.validate_config(serde_json::json!({ "currency": "eur" })).is_err());
        for m in Module::ALL {
            assert_eq!(Module::parse(m.key()), Some(m));
            assert!(m.validate_config(serde_json::json!({})).is_ok(), "{m:?} defaults validate");
        }
    }
}
