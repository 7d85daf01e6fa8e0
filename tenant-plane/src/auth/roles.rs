//! Tenant user roles, strongest first: owner > admin > staff > viewer.

use serde::{Deserialize, Serialize};

/// A tenant user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Staff,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Staff, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Viewer => "viewer",
        }
    }

    /// Parses the role as stored in the tenant database.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role as the tenant database stores it; anything else there is an internal error.
    pub fn from_db(s: &str) -> Result<Self, http_api::ApiError> {
        Self::parse(s)
            .ok_or_else(|| http_api::ApiError::internal(anyhow::anyhow!("unknown role {s:?} in the tenant database")))
    }

    /// Whether this role may give `other` to someone, or change someone who has it: only
    /// owners touch owners.
    pub fn may_manage(self, other: Role) -> bool {
        self == Role::Owner || other < Role::Owner
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_owner_first() {
        assert!(Role::Owner > Role::Admin && Role::Admin > Role::Staff && Role::Staff > Role::Viewer);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_owners_manage_owners() {
        assert!(Role::Owner.may_manage(Role::Owner));
        assert!(!Role::Admin.may_manage(Role::Owner));
        assert!(Role::Admin.may_manage(Role::Admin));
    }
}
