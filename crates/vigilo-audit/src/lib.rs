//! The audit chain.
//!
//! Every write to a Vigilo store is an [`AuditEvent`]: who, when, what, the record's full content
//! before and after, and the hash of the previous event. The stored tables are a projection of
//! this chain, so verification has two halves:
//!
//! 1. [`ChainVerifier::push`] re-hashes every event in sequence order: an edited, deleted,
//!    inserted or reordered event breaks the sequence numbers or the hash links.
//! 2. [`RecordExpectations::check`] compares every live row with the content the chain says it
//!    must have: a row edited, deleted or inserted behind the application's back shows up there.
//!
//! Canonical form: JSON with object keys sorted and no insignificant white space. Record values
//! are strings, integers, booleans, arrays and objects only (never floats), and for that value
//! domain serde_json's compact output coincides with RFC 8785 (JCS).

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The `prev_hash` of the first event.
    pub const GENESIS: Hash = Hash([0; 32]);

    fn of(bytes: &[u8]) -> Hash {
        Hash(Sha256::digest(bytes).into())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("expected 64 hexadecimal digits")]
pub struct BadHash;

impl FromStr for Hash {
    type Err = BadHash;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| BadHash)?;
        Ok(Hash(out))
    }
}

/// One audit event as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    /// Microseconds since the Unix epoch, UTC; exported as RFC 3339.
    #[serde(serialize_with = "micros_as_rfc3339")]
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub table: String,
    pub key: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    #[serde(serialize_with = "as_display")]
    pub prev_hash: Hash,
    #[serde(serialize_with = "as_display")]
    pub hash: Hash,
}

fn micros_as_rfc3339<S: serde::Serializer>(at: &i64, s: S) -> Result<S::Ok, S::Error> {
    match jiff::Timestamp::from_microsecond(*at) {
        Ok(t) => s.collect_str(&t),
        Err(_) => s.serialize_i64(*at),
    }
}

fn as_display<S: serde::Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(h)
}

/// The content an event's hash covers: everything but the hash itself.
pub struct EventContent<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub table: &'a str,
    pub key: &'a str,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
    pub prev_hash: Hash,
}

impl EventContent<'_> {
    /// The hash that links this event into the chain.
    pub fn hash(&self) -> Hash {
        // A JSON array fixes field order and quoting, so no two distinct contents share an
        // encoding (a plain concatenation would let "ab"+"c" collide with "a"+"bc").
        let prev = self.prev_hash.to_string();
        let encoded = serde_json::to_vec(&(
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.table,
            self.key,
            self.before,
            self.after,
            prev,
        ))
        .expect("JSON values always serialise");
        Hash::of(&encoded)
    }
}

impl AuditEvent {
    pub fn content(&self) -> EventContent<'_> {
        EventContent {
            seq: self.seq,
            at: self.at,
            actor: &self.actor,
            action: &self.action,
            table: &self.table,
            key: &self.key,
            before: self.before.as_ref(),
            after: self.after.as_ref(),
            prev_hash: self.prev_hash,
        }
    }
}

/// Digest of a record's canonical JSON.
pub fn record_digest(record: &Value) -> Hash {
    Hash::of(&serde_json::to_vec(record).expect("JSON values always serialise"))
}

/// The first place where the store departs from its audit chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    #[error("audit event #{found} follows #{previous}: events are missing or reordered")]
    Sequence { previous: i64, found: i64 },
    #[error("audit event #{seq} does not link to the event before it (prev_hash differs)")]
    Link { seq: i64 },
    #[error("audit event #{seq} was altered: its content no longer matches its hash")]
    Content { seq: i64 },
    #[error(
        "the audit head says the chain ends at #{head_seq}, but the last event is #{last_seq}: events were removed or added"
    )]
    Head { head_seq: i64, last_seq: i64 },
    #[error(
        "record {table}/{key} was altered outside Vigilo: it differs from its last audited content (audit event #{seq})"
    )]
    RecordAltered {
        table: String,
        key: String,
        seq: i64,
    },
    #[error("record {table}/{key} was deleted outside Vigilo (last written by audit event #{seq})")]
    RecordDeleted {
        table: String,
        key: String,
        seq: i64,
    },
    #[error("record {table}/{key} is not in the audit chain: it was inserted outside Vigilo")]
    RecordUnaudited { table: String, key: String },
    #[error(
        "{table} row of {key} differs from the audited records it is derived from: it was altered, added or deleted outside Vigilo"
    )]
    DerivedAltered { table: String, key: String },
}

/// Checks events one by one, in the order of their sequence numbers.
#[derive(Default)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: Hash,
    expected: HashMap<String, HashMap<String, Expected>>,
}

#[derive(Clone, Copy)]
struct Expected {
    digest: Hash,
    seq: i64,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of events checked so far.
    pub fn checked(&self) -> i64 {
        self.last_seq
    }

    pub fn push(&mut self, event: &AuditEvent) -> Result<(), Break> {
        if event.seq != self.last_seq + 1 {
            return Err(Break::Sequence {
                previous: self.last_seq,
                found: event.seq,
            });
        }
        if event.prev_hash != self.last_hash {
            return Err(Break::Link { seq: event.seq });
        }
        if event.content().hash() != event.hash {
            return Err(Break::Content { seq: event.seq });
        }
        let table = self.expected.entry(event.table.clone()).or_default();
        match &event.after {
            Some(after) => {
                table.insert(
                    event.key.clone(),
                    Expected {
                        digest: record_digest(after),
                        seq: event.seq,
                    },
                );
            }
            None => {
                table.remove(&event.key);
            }
        }
        self.last_seq = event.seq;
        self.last_hash = event.hash;
        Ok(())
    }

    /// Closes the chain against the stored head (`seq`, `hash` of the last event).
    pub fn finish(self, head_seq: i64, head_hash: Hash) -> Result<RecordExpectations, Break> {
        if head_seq != self.last_seq || head_hash != self.last_hash {
            return Err(Break::Head {
                head_seq,
                last_seq: self.last_seq,
            });
        }
        Ok(RecordExpectations {
            expected: self.expected,
        })
    }
}

/// What every record table must contain, replayed from the chain.
pub struct RecordExpectations {
    expected: HashMap<String, HashMap<String, Expected>>,
}

impl RecordExpectations {
    /// Checks one live row of `table` against the chain. Rows may come in any order.
    pub fn check_row(&mut self, table: &str, key: String, record: &Value) -> Result<(), Break> {
        let expected = self.expected.get_mut(table).and_then(|t| t.remove(&key));
        match expected {
            Some(e) if e.digest == record_digest(record) => Ok(()),
            Some(e) => Err(Break::RecordAltered {
                table: table.to_owned(),
                key,
                seq: e.seq,
            }),
            None => Err(Break::RecordUnaudited {
                table: table.to_owned(),
                key,
            }),
        }
    }

    /// Closes `table` after all its rows were checked: a record the chain has and the table
    /// lacks was deleted behind the application's back.
    pub fn finish_table(&mut self, table: &str) -> Result<(), Break> {
        let left = self.expected.remove(table).unwrap_or_default();
        // The first missing record by sequence number, so the report is reproducible.
        match left.into_iter().min_by_key(|(_, e)| e.seq) {
            Some((key, e)) => Err(Break::RecordDeleted {
                table: table.to_owned(),
                key,
                seq: e.seq,
            }),
            None => Ok(()),
        }
    }

    /// Checks a whole table at once; returns the number of rows.
    pub fn check(
        &mut self,
        table: &str,
        rows: impl IntoIterator<Item = (String, Value)>,
    ) -> Result<usize, Break> {
        let mut count = 0;
        for (key, record) in rows {
            self.check_row(table, key, &record)?;
            count += 1;
        }
        self.finish_table(table)?;
        Ok(count)
    }

    /// Tables the chain has records for that [`check`](Self::check) was not asked about.
    pub fn unchecked_tables(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .expected
            .iter()
            .filter(|(_, records)| !records.is_empty())
            .map(|(name, _)| name.as_str())
            .collect();
        names.sort_unstable();
        names
    }
}

/// Builds the next event of a chain; used by writers so they hash exactly as verification does.
#[derive(Clone)]
pub struct ChainWriter {
    pub last_seq: i64,
    pub last_hash: Hash,
}

impl ChainWriter {
    #[allow(clippy::too_many_arguments)]
    pub fn append(
        &mut self,
        at: i64,
        actor: &str,
        action: &str,
        table: &str,
        key: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> AuditEvent {
        let seq = self.last_seq + 1;
        let hash = EventContent {
            seq,
            at,
            actor,
            action,
            table,
            key,
            before: before.as_ref(),
            after: after.as_ref(),
            prev_hash: self.last_hash,
        }
        .hash();
        let event = AuditEvent {
            seq,
            at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            table: table.to_owned(),
            key: key.to_owned(),
            before,
            after,
            prev_hash: self.last_hash,
            hash,
        };
        self.last_seq = seq;
        self.last_hash = hash;
        event
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: usize) -> Vec<AuditEvent> {
        let mut w = ChainWriter {
            last_seq: 0,
            last_hash: Hash::GENESIS,
        };
        (0..n)
            .map(|i| {
                w.append(
                    1_700_000_000_000_000 + i as i64,
                    "alice",
                    "device.add",
                    "devices",
                    &i.to_string(),
                    None,
                    Some(json!({"id": i, "serial": format!("SN{i}")})),
                )
            })
            .collect()
    }

    fn verify(events: &[AuditEvent]) -> Result<RecordExpectations, Break> {
        let mut v = ChainVerifier::new();
        for e in events {
            v.push(e)?;
        }
        let last = events.last();
        v.finish(
            last.map_or(0, |e| e.seq),
            last.map_or(Hash::GENESIS, |e| e.hash),
        )
    }

    #[test]
    fn intact_chain_verifies_and_replays_records() {
        let events = chain(5);
        let mut exp = verify(&events).unwrap();
        let rows = (0..5).map(|i| (i.to_string(), json!({"id": i, "serial": format!("SN{i}")})));
        assert_eq!(exp.check("devices", rows), Ok(5));
    }

    #[test]
    fn edited_event_content_is_detected() {
        let mut events = chain(5);
        events[2].actor = "mallory".into();
        assert_eq!(verify(&events).err(), Some(Break::Content { seq: 3 }));
    }

    #[test]
    fn rehashed_event_breaks_the_next_link() {
        let mut events = chain(5);
        events[2].actor = "mallory".into();
        events[2].hash = events[2].content().hash();
        assert_eq!(verify(&events).err(), Some(Break::Link { seq: 4 }));
    }

    #[test]
    fn deleted_and_reordered_events_are_detected() {
        let mut events = chain(5);
        events.remove(1);
        assert_eq!(
            verify(&events).err(),
            Some(Break::Sequence {
                previous: 1,
                found: 3
            })
        );
        let mut events = chain(5);
        events.swap(1, 2);
        assert!(matches!(verify(&events), Err(Break::Sequence { .. })));
        // Swapping the sequence numbers too still breaks the hash links.
        let mut events = chain(5);
        events.swap(1, 2);
        events[1].seq = 2;
        events[2].seq = 3;
        assert!(matches!(
            verify(&events),
            Err(Break::Content { .. } | Break::Link { .. })
        ));
    }

    #[test]
    fn truncated_tail_is_detected_against_the_head() {
        let events = chain(5);
        let mut v = ChainVerifier::new();
        for e in &events[..4] {
            v.push(e).unwrap();
        }
        assert_eq!(
            v.finish(5, events[4].hash).err(),
            Some(Break::Head {
                head_seq: 5,
                last_seq: 4
            })
        );
    }

    #[test]
    fn live_rows_are_compared_with_the_chain() {
        let row = |i: i64, serial: &str| (i.to_string(), json!({"id": i, "serial": serial}));
        let mut exp = verify(&chain(3)).unwrap();
        assert_eq!(
            exp.check("devices", [row(0, "SN0"), row(1, "EDITED"), row(2, "SN2")]),
            Err(Break::RecordAltered {
                table: "devices".into(),
                key: "1".into(),
                seq: 2
            })
        );
        let mut exp = verify(&chain(3)).unwrap();
        assert_eq!(
            exp.check("devices", [row(0, "SN0"), row(2, "SN2")]),
            Err(Break::RecordDeleted {
                table: "devices".into(),
                key: "1".into(),
                seq: 2
            })
        );
        let mut exp = verify(&chain(3)).unwrap();
        assert_eq!(
            exp.check(
                "devices",
                [row(0, "SN0"), row(1, "SN1"), row(2, "SN2"), row(9, "X")]
            ),
            Err(Break::RecordUnaudited {
                table: "devices".into(),
                key: "9".into()
            })
        );
    }

    #[test]
    fn a_deletion_event_removes_the_expectation() {
        let mut events = chain(2);
        let mut w = ChainWriter {
            last_seq: 2,
            last_hash: events[1].hash,
        };
        events.push(w.append(
            1,
            "alice",
            "device.remove",
            "devices",
            "0",
            events[0].after.clone(),
            None,
        ));
        let mut exp = verify(&events).unwrap();
        assert_eq!(
            exp.check(
                "devices",
                [("1".to_string(), json!({"id": 1, "serial": "SN1"}))]
            ),
            Ok(1)
        );
        assert!(exp.unchecked_tables().is_empty());
    }

    #[test]
    fn events_export_instants_as_rfc3339() {
        let e = &chain(1)[0];
        let v = serde_json::to_value(e).unwrap();
        assert_eq!(v["at"], "2023-11-14T22:13:20Z");
        assert_eq!(v["hash"], e.hash.to_string());
    }

    #[test]
    fn hash_round_trips_through_hex() {
        let h = chain(1)[0].hash;
        assert_eq!(h.to_string().parse::<Hash>(), Ok(h));
        assert_eq!("zz".parse::<Hash>(), Err(BadHash));
    }

    proptest::proptest! {
        #[test]
        fn any_single_field_change_is_detected(field in 0usize..6, idx in 0usize..4, text in "[a-z]{1,8}") {
            let mut events = chain(4);
            let e = &mut events[idx];
            match field {
                0 => e.actor.push_str(&text),
                1 => e.action.push_str(&text),
                2 => e.table.push_str(&text),
                3 => e.key.push_str(&text),
                4 => e.at += 1 + text.len() as i64,
                _ => e.after = Some(json!({"tampered": text})),
            }
            proptest::prop_assert!(verify(&events).is_err());
        }
    }
}
