//! Per-tenant object storage: an object-store trait, validated object keys, a tenant scope that
//! prefixes every key (so no caller reaches outside its tenant's space), and the backends —
//! today the local filesystem (development and on-prem NAS/NFS mounts); S3 and Azure Blob next.

mod key;
mod local;
mod scope;
mod store;

pub use key::{KeyError, ObjectKey};
pub use local::LocalStore;
pub use scope::TenantStore;
pub use store::{ByteStream, ListPage, ObjectMeta, ObjectStore, StorageError};
