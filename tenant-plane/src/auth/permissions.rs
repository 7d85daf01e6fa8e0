//! The permission table: what each role may do. Handlers state the permission they need in
//! their signature (`Can<perm::UsersManage>`), so an endpoint cannot forget its check, and
//! `docs/tenant-permissions.md` is checked against this table by a test.
//!
//! A user has every permission whose minimum role is at or below theirs. An API key has the
//! permissions in its scopes, and only while the user who made it still has them.

use std::{future::Future, marker::PhantomData, ops::Deref, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use http_api::{ApiError, ErrorCode};

use super::{Caller, roles::Role};

macro_rules! permissions {
    ($($marker:ident = $name:literal, $role:ident, $doc:literal;)+) => {
        /// A permission, spelled on the wire (API key scopes) as `area.action`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Permission { $(#[doc = $doc] $marker),+ }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$marker),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Permission::$marker => $name),+ }
            }

            /// The weakest role that has this permission.
            pub fn min_role(self) -> Role {
                match self { $(Permission::$marker => Role::$role),+ }
            }

            pub fn description(self) -> &'static str {
                match self { $(Permission::$marker => $doc),+ }
            }
        }

        /// Marker types naming one permission each, for [`Can`].
        pub mod perm {
            $(
                #[doc = $doc]
                pub struct $marker;
                impl super::Required for $marker {
                    const PERMISSION: super::Permission = super::Permission::$marker;
                }
            )+
        }
    };
}

permissions! {
    TenantManage = "tenant.manage", Admin, "Change the tenant's name, branding and sign-up policy.";
    UsersRead = "users.read", Admin, "List users and open invitations.";
    UsersManage = "users.manage", Admin, "Invite users, change their role or status, remove them (owners only by owners).";
    ApiKeysManage = "api_keys.manage", Admin, "Create, list and revoke API keys.";
    AuditRead = "audit.read", Admin, "Read the audit log.";
    NotesRead = "notes.read", Viewer, "Read notes.";
    NotesWrite = "notes.write", Staff, "Create and delete notes.";
    ModulesRead = "modules.read", Viewer, "See which modules are on.";
    ModulesManage = "modules.manage", Admin, "Turn modules on and off and change their settings.";
    CrmRead = "crm.read", Viewer, "Read CRM contacts.";
    CrmWrite = "crm.write", Staff, "Create, change and delete CRM contacts.";
    SupportRead = "support.read", Viewer, "Read support tickets.";
    SupportWrite = "support.write", Staff, "Open, change, assign and delete support tickets.";
    ConnectorsManage = "connectors.manage", Admin, "Connect, configure, test and disconnect connectors (secrets are write-only).";
    FilesRead = "files.read", Viewer, "List and download files, make signed download URLs, see storage usage.";
    FilesWrite = "files.write", Staff, "Upload, replace and delete files, make signed upload URLs.";
    WebhooksManage = "webhooks.manage", Admin, "Create, change, test and delete webhook endpoints; read their delivery logs.";
}

impl Permission {
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == s)
    }

    /// Whether `role` has this permission.
    pub fn granted_to(self, role: Role) -> bool {
        role >= self.min_role()
    }
}

/// Implemented by the marker types in [`perm`].
pub trait Required {
    const PERMISSION: Permission;
}

/// An authenticated caller holding permission `P`; `403 FORBIDDEN` otherwise.
pub struct Can<P: Required> {
    caller: Caller,
    _permission: PhantomData<P>,
}

impl<P: Required> Deref for Can<P> {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl<P: Required + 'static> FromRequest for Can<P> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            if !caller.has(P::PERMISSION) {
                return Err(ApiError::new(
                    ErrorCode::FORBIDDEN,
                    format!("this action needs the {} permission", P::PERMISSION.as_str()),
                ));
            }
            Ok(Can { caller, _permission: PhantomData })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut names = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert!(names.insert(p.as_str()), "{p:?}");
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
        }
    }

    #[test]
    fn stronger_roles_have_everything_weaker_ones_have() {
        for p in Permission::ALL {
            for pair in Role::ALL.windows(2) {
                let (stronger, weaker) = (pair[0], pair[1]);
                assert!(!p.granted_to(weaker) || p.granted_to(stronger), "{p:?}");
            }
            assert!(p.granted_to(Role::Owner));
        }
    }

    /// The documented table is the code's table.
    #[test]
    fn permissions_doc_matches_the_table() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/tenant-permissions.md"))
            .expect("docs/tenant-permissions.md");
        for p in Permission::ALL {
            let marks: Vec<&str> = Role::ALL.iter().map(|r| if p.granted_to(*r) { "✓" } else { "–" }).collect();
            let row = format!("| `{}` | {} | {} |", p.as_str(), marks.join(" | "), p.description());
            assert!(doc.contains(&row), "docs/tenant-permissions.md lacks the row:\n{row}");
        }
    }
}
