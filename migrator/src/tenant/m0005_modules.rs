//! Modules: which optional feature sets a tenant has switched on, with their settings, and the
//! data of the two built so far — crm contacts and support tickets.

const UP: &str = r#"
CREATE TABLE modules (
    key text PRIMARY KEY CHECK (key IN ('booking','ecommerce','crm','support','analytics','ai_assistant')),
    enabled boolean NOT NULL DEFAULT false,
    config jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE crm_contacts (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email text CHECK (length(email) <= 254),
    phone text CHECK (length(phone) <= 50),
    company text CHECK (length(company) <= 200),
    notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crm_contacts_name ON crm_contacts (lower(name));

CREATE TABLE support_tickets (
    id uuid PRIMARY KEY,
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','pending','resolved','closed')),
    priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low','normal','high','urgent')),
    assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_tickets_status ON support_tickets (status, id);
CREATE INDEX support_tickets_assignee ON support_tickets (assignee_id, id);
"#;

crate::sql_migration::sql_migration!(UP);
