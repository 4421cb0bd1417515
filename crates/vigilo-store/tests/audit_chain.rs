//! The audit chain on a real store: every write is covered, and edits, deletions, insertions
//! and reorderings made directly in SQL are found by `verify`.

mod common;

use common::*;
use vigilo_store::Break;
use vigilo_testdb::TestDb;

async fn expect_break(db: &TestDb, sql: &str) -> Break {
    let w = world(db).await;
    assert!(
        w.store.verify().await.unwrap().is_ok(),
        "intact before tampering"
    );
    db.raw_execute(sql).await;
    w.store
        .verify()
        .await
        .unwrap()
        .expect_err(&format!("verify must detect: {sql}"))
}

async fn intact_store_verifies(db: &TestDb) {
    let w = world(db).await;
    let v = w.store.verify().await.unwrap().unwrap();
    let (head_seq, head) = w.store.audit_head().await.unwrap();
    assert_eq!(v.events, head_seq);
    assert_eq!(v.head, head);
    // 1 org + 1 admin + 5 event types, partner + agreement, 4 people, product,
    // 2 × (device + software version on first mention only + history), lot.
    assert_eq!(v.events, 1 + 1 + 5 + 2 + 4 + 1 + (3 + 2) + 1);
    assert_eq!(v.records as i64, v.events);
}

async fn edited_record_is_detected(db: &TestDb) {
    let b = expect_break(
        db,
        "UPDATE devices SET country = 'FR' WHERE serial = 'SN-1'",
    )
    .await;
    assert!(
        matches!(&b, Break::RecordAltered { table, key, .. } if table == "devices" && key == "1"),
        "{b}"
    );
}

async fn deleted_record_is_detected(db: &TestDb) {
    let b = expect_break(db, "DELETE FROM part_lots WHERE lot = 'L1'").await;
    assert!(
        matches!(&b, Break::RecordDeleted { table, .. } if table == "part_lots"),
        "{b}"
    );
}

async fn inserted_record_is_detected(db: &TestDb) {
    let b = expect_break(
        db,
        "INSERT INTO part_lots (id, part, lot, quantity, location, status) \
         VALUES (99, 'BAT-7420', 'FAKE', 5, NULL, 'released')",
    )
    .await;
    assert!(
        matches!(&b, Break::RecordUnaudited { table, key } if table == "part_lots" && key == "99"),
        "{b}"
    );
}

async fn edited_json_column_is_detected(db: &TestDb) {
    let b = expect_break(
        db,
        "UPDATE persons SET roles = '[\"admin\"]' WHERE id = 'nb'",
    )
    .await;
    assert!(
        matches!(&b, Break::RecordAltered { table, key, .. } if table == "persons" && key == "nb"),
        "{b}"
    );
}

async fn edited_audit_event_is_detected(db: &TestDb) {
    let b = expect_break(
        db,
        "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3",
    )
    .await;
    assert_eq!(b, Break::Content { seq: 3 });
}

async fn edited_audit_content_is_detected(db: &TestDb) {
    let b = expect_break(
        db,
        "UPDATE audit_events SET after_json = REPLACE(after_json, 'SN-1', 'SN-9') WHERE record_table = 'devices'",
    )
    .await;
    assert!(matches!(b, Break::Content { .. }), "{b}");
}

async fn deleted_audit_event_is_detected(db: &TestDb) {
    let b = expect_break(db, "DELETE FROM audit_events WHERE seq = 5").await;
    assert_eq!(
        b,
        Break::Sequence {
            previous: 4,
            found: 6
        }
    );
}

async fn reordered_audit_events_are_detected(db: &TestDb) {
    // Swap the sequence numbers of two events through a free number.
    let b = expect_break(
        db,
        "UPDATE audit_events SET seq = -1 WHERE seq = 4; \
         UPDATE audit_events SET seq = 4 WHERE seq = 5; \
         UPDATE audit_events SET seq = 5 WHERE seq = -1;",
    )
    .await;
    assert!(
        matches!(b, Break::Link { seq: 4 } | Break::Content { seq: 4 }),
        "{b}"
    );
}

async fn truncated_chain_is_detected(db: &TestDb) {
    let w = world(db).await;
    let (last, _) = w.store.audit_head().await.unwrap();
    db.raw_execute(&format!("DELETE FROM audit_events WHERE seq = {last}"))
        .await;
    let b = w.store.verify().await.unwrap().unwrap_err();
    assert_eq!(
        b,
        Break::Head {
            head_seq: last,
            last_seq: last - 1
        }
    );
}

async fn a_consistent_rewrite_is_caught_by_an_anchor(db: &TestDb) {
    let w = world(db).await;
    let (last, anchor) = w.store.audit_head().await.unwrap();
    // The last write received lot L1. Remove it with its event and move the head back: the
    // chain is self-consistent again, and only the anchor published earlier shows the cut.
    db.raw_execute(&format!(
        "DELETE FROM part_lots WHERE lot = 'L1'; \
         DELETE FROM audit_events WHERE seq = {last}; \
         UPDATE audit_head SET seq = {prev}, hash = (SELECT hash FROM audit_events WHERE seq = {prev}) WHERE id = 1;",
        prev = last - 1
    ))
    .await;
    assert!(
        w.store.verify().await.unwrap().is_ok(),
        "a consistent rewrite passes the chain check"
    );
    assert!(
        !w.store.audit_contains(anchor).await.unwrap(),
        "but the anchor is gone"
    );
}

async fn updates_carry_before_and_after(db: &TestDb) {
    let w = world(db).await;
    let lot = w.store.resolve_lot("L1", None).await.unwrap();
    w.store
        .set_lot_status(
            &w.quality,
            &lot,
            vigilo_registry::LotStatus::Quarantined,
            now(),
        )
        .await
        .unwrap();
    let events = w
        .store
        .audit_events(&vigilo_store::AuditFilter {
            table: Some("part_lots".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.action, "lot.status");
    assert_eq!(last.actor, "qm");
    assert_eq!(last.before.as_ref().unwrap()["status"], "released");
    assert_eq!(last.after.as_ref().unwrap()["status"], "quarantined");
    assert!(w.store.verify().await.unwrap().is_ok());
}

async fn events_are_listed_for_several_records_at_once(db: &TestDb) {
    let w = world(db).await;
    let keys = |keys: &[&str]| vigilo_store::AuditFilter {
        table: Some("devices".into()),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        ..Default::default()
    };
    let both = w.store.audit_events(&keys(&["1", "2"])).await.unwrap();
    assert_eq!(
        both.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        ["1", "2"]
    );
    let one = w.store.audit_events(&keys(&["2"])).await.unwrap();
    assert_eq!((one.len(), one[0].action.as_str()), (1, "device.add"));
    assert!(
        w.store
            .audit_events(&keys(&["99"]))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn concurrent_writers_keep_one_chain(db: &TestDb) {
    let w = world(db).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = w.store.clone();
        let qm = w.quality.clone();
        tasks.push(tokio::spawn(async move {
            store
                .add_lot(
                    &qm,
                    vigilo_store::registry::NewLot {
                        part: "SEAL".into(),
                        lot: format!("S{i}"),
                        quantity: 1,
                        location: None,
                        status: vigilo_registry::LotStatus::Released,
                    },
                    now(),
                )
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let v = w.store.verify().await.unwrap().unwrap();
    assert_eq!(v.events, 20 + 16);
}

vigilo_testdb::backend_tests!(
    intact_store_verifies,
    edited_record_is_detected,
    deleted_record_is_detected,
    inserted_record_is_detected,
    edited_json_column_is_detected,
    edited_audit_event_is_detected,
    edited_audit_content_is_detected,
    deleted_audit_event_is_detected,
    reordered_audit_events_are_detected,
    truncated_chain_is_detected,
    a_consistent_rewrite_is_caught_by_an_anchor,
    updates_carry_before_and_after,
    events_are_listed_for_several_records_at_once,
    concurrent_writers_keep_one_chain,
);
