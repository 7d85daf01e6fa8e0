//! Files: the tenant's index of stored objects. A file's bytes live in the tenant's storage
//! under a fresh object name per upload (`objects/<uuid>`), so an overwrite never clobbers
//! bytes in place and replication never races a newer write. `storage_usage` counts the bytes
//! held against the plan's quota; `storage_replication` is the log of objects written to the
//! fallback while the primary was out (or deleted then), drained when the primary returns.

const UP: &str = r#"
CREATE TABLE files (
    key text PRIMARY KEY CHECK (octet_length(key) BETWEEN 1 AND 1024),
    object text NOT NULL UNIQUE,
    size bigint NOT NULL CHECK (size >= 0),
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row: the bytes held (the sum of `files.size`, kept in the writing transaction).
CREATE TABLE storage_usage (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    bytes bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0)
);
INSERT INTO storage_usage DEFAULT VALUES;

-- Objects whose old version is still to be removed (after an overwrite or a delete), swept
-- after the index changed, so a crash between the two leaves a row here, not an orphan.
CREATE TABLE storage_garbage (
    object text PRIMARY KEY,
    queued_at timestamptz NOT NULL DEFAULT now()
);

-- The key signing the tenant plane's presigned file URLs, sealed with the tenant data key.
CREATE TABLE storage_keys (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    presign_sealed text NOT NULL
);

CREATE TABLE storage_replication (
    object text PRIMARY KEY,
    pending text NOT NULL CHECK (pending IN ('put', 'delete')),
    queued_at timestamptz NOT NULL DEFAULT now()
);
"#;

crate::sql_migration::sql_migration!(UP);
