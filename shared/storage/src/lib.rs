//! Per-tenant object storage: an object-store trait, validated object keys, a tenant scope that
//! prefixes every key (so no caller reaches outside its tenant's space), and the backends —
//! the local filesystem (development and on-prem NAS/NFS mounts), S3 (AWS or S3-compatible) and
//! Azure Blob.

mod azure;
mod encrypted;
mod fallback;
mod key;
mod local;
mod s3;
mod scope;
mod space;
mod spec;
mod store;

pub use azure::{AzureCredential, AzureSettings, AzureStore};
pub use encrypted::{EncryptedStore, KeyWrap};
pub use fallback::{FallbackStore, Pending, REPLAY_LIMIT, Replicated, ReplicationLog};
pub use key::{KeyError, ObjectKey};
pub use local::LocalStore;
pub use s3::{S3Settings, S3Store};
pub use scope::TenantStore;
pub use space::{MARKER, connect_for_check, create_space, probe, remove_space};
pub use spec::{AzureAuth, BackendSpec, FALLBACK_SECRET, PRIMARY_SECRET, Platform, StorageConfig, connect};
pub use store::{ByteStream, ListPage, ObjectMeta, ObjectStore, StorageError};
