//! Webhooks: endpoints (signing secret sealed with the tenant's data key), the outbox that
//! events are written to in the transaction of the change, and a log of every delivery attempt.

const UP: &str = r#"
CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY,
    url text NOT NULL CHECK (length(url) <= 2048),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    events text[] NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    secret_sealed text NOT NULL,
    -- The current run of failed attempts: auto-disable looks at both.
    failure_streak integer NOT NULL DEFAULT 0,
    failing_since timestamptz,
    disabled_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_outbox (
    id uuid PRIMARY KEY,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed','cancelled')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- A worker holds the row while it sends; another may take it after this time.
    leased_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_outbox_endpoint ON webhook_outbox (endpoint_id, id);

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    outbox_id uuid NOT NULL REFERENCES webhook_outbox (id) ON DELETE CASCADE,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    attempt integer NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    status_code integer,
    error text,
    duration_ms integer NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC);
"#;

crate::sql_migration::sql_migration!(UP);
