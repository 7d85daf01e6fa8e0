//! Who made a change, for the audit log.

/// The author of a change: an operator through the API, the CLI, or the system itself.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn operator(email: &str, request_id: Option<String>) -> Self {
        Self { name: format!("operator:{email}"), request_id }
    }

    pub fn cli() -> Self {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Self { name: format!("cli:{user}"), request_id: None }
    }

    pub fn system() -> Self {
        Self { name: "system".into(), request_id: None }
    }
}
