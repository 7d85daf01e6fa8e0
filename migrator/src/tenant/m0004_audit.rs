//! The tenant's audit log: schema `audit`, owned by the platform's `tenantry_audit_owner`
//! role, not by the tenant's. The tenant's runtime role can read the log and append to it
//! through `audit.append()` (a SECURITY DEFINER function), and nothing else: no INSERT of its
//! own rows, no UPDATE, DELETE, TRUNCATE or DDL — the database refuses, whatever the code does.
//!
//! Every row carries the hash of the previous one. `hash = sha256(canonical(row))`, where the
//! canonical form is each field as `<byte length>:<value>` (`-` for NULL), in this order: seq,
//! occurred_at (Unix microseconds), actor_type, actor_id, action, target_type, target_id, ip,
//! request_id, metadata (jsonb text), prev_hash. `tenantry audit verify` recomputes it in Rust.
//!
//! Lengths are UTF-8 byte counts whatever the database's encoding.
//!
//! The schema is created by the session user (the server admin), since the tenant's role
//! cannot create objects owned by another role.

const UP: &str = r#"
SET ROLE NONE;
CREATE SCHEMA audit AUTHORIZATION tenantry_audit_owner;
SET ROLE tenantry_audit_owner;

CREATE TABLE audit.events (
    seq bigint PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    actor_type text NOT NULL CHECK (actor_type IN ('user','api_key','system','anonymous')),
    actor_id text,
    action text NOT NULL,
    target_type text,
    target_id text,
    ip text,
    request_id text,
    metadata jsonb NOT NULL DEFAULT '{}',
    prev_hash text NOT NULL,
    hash text NOT NULL
);
CREATE INDEX events_occurred ON audit.events (occurred_at);
CREATE INDEX events_action ON audit.events (action, seq);
CREATE INDEX events_actor ON audit.events (actor_id, seq);

CREATE FUNCTION audit.field(value text) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN CASE WHEN value IS NULL THEN '-' ELSE octet_length(convert_to(value, 'UTF8'))::text || ':' || value END;

CREATE FUNCTION audit.append(
    p_actor_type text, p_actor_id text, p_action text, p_target_type text, p_target_id text,
    p_ip text, p_request_id text, p_metadata jsonb
) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit
AS $$
DECLARE
    last_seq bigint;
    last_hash text;
    v_seq bigint;
    v_prev text;
    v_at timestamptz := date_trunc('microseconds', clock_timestamp());
    v_meta jsonb := coalesce(p_metadata, '{}'::jsonb);
    v_hash text;
BEGIN
    -- One appender at a time per tenant, until the caller's transaction ends; readers are not blocked.
    LOCK TABLE audit.events IN EXCLUSIVE MODE;
    SELECT seq, hash INTO last_seq, last_hash FROM audit.events ORDER BY seq DESC LIMIT 1;
    v_seq := coalesce(last_seq, 0) + 1;
    v_prev := coalesce(last_hash, repeat('0', 64));
    v_hash := encode(sha256(convert_to(
        audit.field(v_seq::text)
        || audit.field(floor(extract(epoch FROM v_at) * 1000000)::bigint::text)
        || audit.field(p_actor_type) || audit.field(p_actor_id) || audit.field(p_action)
        || audit.field(p_target_type) || audit.field(p_target_id) || audit.field(p_ip)
        || audit.field(p_request_id) || audit.field(v_meta::text) || audit.field(v_prev),
        'UTF8')), 'hex');
    INSERT INTO audit.events (seq, occurred_at, actor_type, actor_id, action, target_type, target_id, ip,
                              request_id, metadata, prev_hash, hash)
    VALUES (v_seq, v_at, p_actor_type, p_actor_id, p_action, p_target_type, p_target_id, p_ip,
            p_request_id, v_meta, v_prev, v_hash);
    RETURN v_seq;
END
$$;

-- Only the tenant's role can connect to a tenant database, so PUBLIC here means that role.
REVOKE ALL ON FUNCTION audit.append(text, text, text, text, text, text, text, jsonb) FROM PUBLIC;
GRANT USAGE ON SCHEMA audit TO PUBLIC;
GRANT SELECT ON audit.events TO PUBLIC;
GRANT EXECUTE ON FUNCTION audit.append(text, text, text, text, text, text, text, jsonb) TO PUBLIC;

RESET ROLE;
"#;

crate::sql_migration::sql_migration!(UP);
