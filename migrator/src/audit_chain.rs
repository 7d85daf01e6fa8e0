//! Verifying a tenant's audit log (`audit.events`, see the tenant migration `m0004_audit`):
//! every row's hash is recomputed here, independently of the database function that wrote it,
//! and every row must name its predecessor's hash with no gap in `seq`. An edited row, a
//! deleted one, a reordered or inserted one all break the chain at the first row affected.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio_postgres::Client;

/// The hash the first row chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const BATCH: i64 = 5_000;

/// One audit row as the hash covers it.
#[derive(Debug, Clone)]
pub struct ChainRow {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    /// The jsonb's text form, as Postgres prints it.
    pub metadata: String,
    pub prev_hash: String,
}

fn field(out: &mut String, value: Option<&str>) {
    match value {
        Some(v) => {
            out.push_str(&v.len().to_string());
            out.push(':');
            out.push_str(v);
        }
        None => out.push('-'),
    }
}

impl ChainRow {
    /// `sha256(canonical form)`, hex.
    pub fn hash(&self) -> String {
        let mut canonical = String::new();
        field(&mut canonical, Some(&self.seq.to_string()));
        field(&mut canonical, Some(&self.occurred_at.timestamp_micros().to_string()));
        field(&mut canonical, Some(&self.actor_type));
        field(&mut canonical, self.actor_id.as_deref());
        field(&mut canonical, Some(&self.action));
        field(&mut canonical, self.target_type.as_deref());
        field(&mut canonical, self.target_id.as_deref());
        field(&mut canonical, self.ip.as_deref());
        field(&mut canonical, self.request_id.as_deref());
        field(&mut canonical, Some(&self.metadata));
        field(&mut canonical, Some(&self.prev_hash));
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }
}

/// Where the chain breaks.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainReport {
    pub rows_checked: u64,
    pub last_seq: Option<i64>,
    /// The newest row's hash: record `<lastSeq>:<lastHash>` somewhere the database's
    /// administrators cannot write, and pass it back as an [`Anchor`] to detect rows removed
    /// from the end or a rewritten chain.
    pub last_hash: Option<String>,
    /// The first break found (verification stops there).
    pub broken: Option<ChainBreak>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// A row's hash recorded earlier, outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for Anchor {
    type Err = String;

    /// `<seq>:<hash>`, as `tenantry audit verify` prints it.
    fn from_str(s: &str) -> Result<Self, String> {
        let (seq, hash) = s.split_once(':').ok_or("expected <seq>:<hash>")?;
        let seq = seq.parse::<i64>().map_err(|_| "the sequence number is not a number")?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("the hash must be 64 hex digits".into());
        }
        Ok(Self { seq, hash: hash.to_ascii_lowercase() })
    }
}

/// Walks the whole log in `seq` order with `client` (any role that can read `audit.events`).
pub async fn verify_chain(client: &Client) -> anyhow::Result<ChainReport> {
    verify_chain_with(client, None).await
}

/// Like [`verify_chain`], and the row `anchor.seq` must still exist with `anchor.hash`: this
/// catches what the chain alone cannot — rows removed from the end, or the whole chain
/// recomputed after an edit.
pub async fn verify_chain_with(client: &Client, anchor: Option<&Anchor>) -> anyhow::Result<ChainReport> {
    let mut report = verify_rows(client, anchor).await?;
    if let (Some(anchor), None) = (anchor, &report.broken)
        && report.last_seq.is_none_or(|last| last < anchor.seq)
    {
        report.broken = Some(ChainBreak {
            seq: anchor.seq,
            reason: "the log ends before the anchored row: rows were removed from its end".into(),
        });
    }
    Ok(report)
}

async fn verify_rows(client: &Client, anchor: Option<&Anchor>) -> anyhow::Result<ChainReport> {
    let mut report = ChainReport { rows_checked: 0, last_seq: None, last_hash: None, broken: None };
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1_i64;
    loop {
        let rows = client
            .query(
                "SELECT seq, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, request_id, \
                 metadata::text, prev_hash, hash FROM audit.events WHERE seq >= $1 ORDER BY seq LIMIT $2",
                &[&expected_seq, &BATCH],
            )
            .await?;
        let done = (rows.len() as i64) < BATCH;
        for r in rows {
            let row = ChainRow {
                seq: r.get(0),
                occurred_at: r.get(1),
                actor_type: r.get(2),
                actor_id: r.get(3),
                action: r.get(4),
                target_type: r.get(5),
                target_id: r.get(6),
                ip: r.get(7),
                request_id: r.get(8),
                metadata: r.get(9),
                prev_hash: r.get(10),
            };
            let stored: String = r.get(11);
            let anchored = anchor.filter(|a| a.seq == row.seq);
            let reason = if row.seq != expected_seq {
                Some(format!("expected row {expected_seq}, found {}: rows are missing", row.seq))
            } else if row.prev_hash != expected_prev {
                Some("does not chain to the previous row".to_owned())
            } else if row.hash() != stored {
                Some("content does not match its hash: the row was changed".to_owned())
            } else if anchored.is_some_and(|a| a.hash != stored) {
                Some("does not match the anchored hash: the chain was rewritten".to_owned())
            } else {
                None
            };
            if let Some(reason) = reason {
                report.broken = Some(ChainBreak { seq: row.seq, reason });
                return Ok(report);
            }
            report.rows_checked += 1;
            report.last_seq = Some(row.seq);
            report.last_hash = Some(stored.clone());
            expected_prev = stored;
            expected_seq += 1;
        }
        if done {
            return Ok(report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_parse_from_what_verify_prints() {
        let hash = "ab".repeat(32);
        assert_eq!(format!("12:{hash}").parse::<Anchor>(), Ok(Anchor { seq: 12, hash: hash.clone() }));
        for bad in ["12", "x:ab", "12:abc", &format!("12:{}", "zz".repeat(32))] {
            assert!(bad.parse::<Anchor>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_canonical_form_is_length_prefixed() {
        let row = ChainRow {
            seq: 1,
            occurred_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            actor_type: "user".into(),
            actor_id: None,
            action: "a.b".into(),
            target_type: None,
            target_id: None,
            ip: None,
            request_id: None,
            metadata: "{}".into(),
            prev_hash: GENESIS.into(),
        };
        let mut moved = row.clone();
        // Moving a character between adjacent fields changes the hash.
        moved.action = "a.".into();
        moved.target_type = Some("b".into());
        assert_ne!(row.hash(), moved.hash());
        assert_eq!(row.hash().len(), 64);
    }
}
