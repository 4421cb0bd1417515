//! CVE drills on a real store: two people acting on one drill at once do not both act on the
//! state before the other's change, and finishing files each participant's training once.

mod common;

use common::*;
use jiff::civil::date;
use vigilo_registry::Role;
use vigilo_security::DrillStep;
use vigilo_store::Error;
use vigilo_store::registry::NewProcedureVersion;
use vigilo_testdb::TestDb;

const ADVISORY: &str = r#"{"id": "GHSA-drill", "modified": "2026-01-01T00:00:00Z",
    "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}"#;

async fn concurrent_steps_and_finishes_act_once(db: &TestDb) {
    let w = world(db).await;
    for id in ["sec", "sec2"] {
        w.store
            .add_person(
                &w.admin,
                id.into(),
                id.into(),
                "acme",
                vec![Role::Security],
                now(),
            )
            .await
            .unwrap();
    }
    let (sec, sec2) = (
        w.store.actor("sec").await.unwrap(),
        w.store.actor("sec2").await.unwrap(),
    );
    w.store
        .add_procedure_version(
            &w.quality,
            NewProcedureVersion {
                procedure_id: "SOP-PSIRT".into(),
                version: "1".into(),
                title: "Vulnerability handling".into(),
                governs: vec!["functional-check".into()],
                effective_on: Some(date(2025, 1, 1)),
            },
            now(),
        )
        .await
        .unwrap();
    let advisory = vigilo_osv::parse_json(ADVISORY.as_bytes()).unwrap();
    let drill = w.store.start_drill(&sec, advisory, now()).await.unwrap();
    let step = |actor, step| w.store.drill_step(actor, drill.id, step, "", now());

    // Both read the drill before either wrote: one must see the other's step.
    let (a, b) = tokio::join!(
        step(&sec, DrillStep::Triaged),
        step(&sec2, DrillStep::Triaged)
    );
    assert_eq!(
        u8::from(a.is_ok()) + u8::from(b.is_ok()),
        1,
        "{a:?} / {b:?}"
    );
    let refused = a.err().or(b.err()).unwrap();
    assert!(refused.to_string().contains("already"), "{refused}");
    for next in [
        DrillStep::VexExported,
        DrillStep::AdvisoryDrafted,
        DrillStep::CustomersNotified,
    ] {
        step(&sec2, next).await.unwrap();
    }
    let taken = w.store.drill(drill.id).await.unwrap().steps;
    assert_eq!(taken.iter().filter(|s| s.step == "triaged").count(), 1);

    // A finish that fails files nothing.
    let head = w.store.audit_head().await.unwrap();
    let finish = |version| {
        w.store.finish_drill(
            &w.quality,
            drill.id,
            ("SOP-PSIRT", version),
            date(2026, 3, 2),
            now(),
        )
    };
    assert!(matches!(finish("9").await, Err(Error::Invalid(_))));
    assert_eq!(w.store.audit_head().await.unwrap(), head);

    // Two finishes at once: one files the participants' trainings, the other is refused.
    let (a, b) = tokio::join!(finish("1"), finish("1"));
    assert_eq!(
        u8::from(a.is_ok()) + u8::from(b.is_ok()),
        1,
        "{a:?} / {b:?}"
    );
    let finished = a.or(b).unwrap();
    assert_eq!(finished.trainings.len(), 2, "{finished:?}");
    let trainings = w.store.trainings(None).await.unwrap();
    for person in ["sec", "sec2"] {
        assert_eq!(
            trainings.iter().filter(|t| t.person == person).count(),
            1,
            "{trainings:?}"
        );
    }
}

vigilo_testdb::backend_tests!(concurrent_steps_and_finishes_act_once);
