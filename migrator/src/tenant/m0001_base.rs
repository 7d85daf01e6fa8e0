//! Base tenant schema: the tenant's profile, its users (the first admin is seeded at
//! provisioning) and notes, a small tenant-owned resource.

const UP: &str = r#"
CREATE TABLE tenant_profile (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    tenant_id uuid NOT NULL,
    slug text NOT NULL,
    display_name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner','admin','staff','viewer')),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notes (
    id uuid PRIMARY KEY,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body text NOT NULL DEFAULT '' CHECK (length(body) <= 10000),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_created ON notes (created_at DESC, id DESC);
"#;

crate::sql_migration::sql_migration!(UP);
