//! Registry operations on a real store: what is refused, what is bad input, and that a failed
//! operation writes nothing.

mod common;

use common::*;
use jiff::civil::date;
use vigilo_registry::{CheckKind, CheckResult, LotStatus, Role};
use vigilo_store::Error;
use vigilo_store::registry::{NewDevice, NewProcedureVersion, NewTraining};
use vigilo_testdb::TestDb;

/// Runs `op` and checks that the audit head did not move.
macro_rules! writes_nothing {
    ($store:expr, $op:expr) => {{
        let before = $store.audit_head().await.unwrap();
        let result = $op;
        assert_eq!(
            $store.audit_head().await.unwrap(),
            before,
            "a failed operation wrote"
        );
        result
    }};
}

fn procedure(
    id: &str,
    version: &str,
    governs: &str,
    effective_on: Option<jiff::civil::Date>,
) -> NewProcedureVersion {
    NewProcedureVersion {
        procedure_id: id.into(),
        version: version.into(),
        title: format!("{id} title"),
        governs: vec![governs.into()],
        effective_on,
    }
}

fn invalid(e: Error) -> vigilo_registry::Invalid {
    match e {
        Error::Invalid(i) => i,
        other => panic!("expected bad input, got {other:?}"),
    }
}

async fn auditors_only_read(db: &TestDb) {
    let w = world(db).await;
    let e = writes_nothing!(
        w.store,
        w.store
            .add_device(&w.auditor, device("SN-9", "DE"), now())
            .await
            .unwrap_err()
    );
    assert_eq!(e.exit_code(), 1);
    assert!(
        e.to_string()
            .contains("only admin or quality or pms may add a device"),
        "{e}"
    );
    assert!(e.to_string().contains("nb holds only auditor"), "{e}");
}

async fn technicians_cannot_release_lots(db: &TestDb) {
    let w = world(db).await;
    let lot = w.store.resolve_lot("L1", Some("BAT-7420")).await.unwrap();
    let e = writes_nothing!(
        w.store,
        w.store
            .set_lot_status(&w.tech, &lot, LotStatus::Recalled, now())
            .await
            .unwrap_err()
    );
    assert!(matches!(e, Error::Refused(_)), "{e}");
}

async fn duplicate_serial_is_bad_input(db: &TestDb) {
    let w = world(db).await;
    let e = writes_nothing!(
        w.store,
        w.store
            .add_device(&w.admin, device("SN-1", "DE"), now())
            .await
            .unwrap_err()
    );
    let i = invalid(e);
    assert_eq!(i.field, "--serial");
    assert!(
        i.problem
            .contains("already has a device with serial \"SN-1\""),
        "{i}"
    );
}

async fn unknown_product_names_the_known_ones(db: &TestDb) {
    let w = world(db).await;
    let new = NewDevice {
        product: Some("nope".into()),
        ..device("SN-9", "DE")
    };
    let i = invalid(writes_nothing!(
        w.store,
        w.store.add_device(&w.admin, new, now()).await.unwrap_err()
    ));
    assert_eq!(i.to_string(), "--product: no product \"nope\" (known: pt2)");
}

async fn udi_registers_serial_and_production_data(db: &TestDb) {
    let w = world(db).await;
    let udi = vigilo_udi::parse(
        "(01)04260123450007(11)250110(17)350110(10)PT2-2501(21)SN-77",
        2026,
    )
    .unwrap();
    let new = NewDevice {
        udi: Some(udi),
        country: Some(cc("FR")),
        ..NewDevice::default()
    };
    let d = w.store.add_device(&w.admin, new, now()).await.unwrap();
    assert_eq!(d.device.product, "pt2");
    assert_eq!(d.device.serial, "SN-77");
    assert_eq!(d.device.lot.as_deref(), Some("PT2-2501"));
    assert_eq!(d.device.expires_on, Some(date(2035, 1, 10)));
    let wrong = vigilo_udi::parse("(01)09506000134352(21)SN-78", 2026).unwrap();
    let new = NewDevice {
        udi: Some(wrong),
        product: Some("pt2".into()),
        country: Some(cc("FR")),
        ..NewDevice::default()
    };
    let i = invalid(w.store.add_device(&w.admin, new, now()).await.unwrap_err());
    assert!(
        i.problem.contains("is not the UDI-DI of product \"pt2\""),
        "{i}"
    );
}

async fn partner_people_cannot_hold_quality_roles(db: &TestDb) {
    let w = world(db).await;
    let e = writes_nothing!(
        w.store,
        w.store
            .add_person(
                &w.admin,
                "x".into(),
                "X".into(),
                "alpen",
                vec![Role::Quality],
                now()
            )
            .await
            .unwrap_err()
    );
    assert!(
        invalid(e)
            .problem
            .contains("quality is not a role for a service partner")
    );
}

async fn procedure_versions_supersede_by_date(db: &TestDb) {
    let w = world(db).await;
    let add = |version: &str, effective| {
        w.store.add_procedure_version(
            &w.quality,
            procedure("SOP-BAT", version, "battery-replacement", effective),
            now(),
        )
    };
    add("1", Some(date(2025, 1, 1))).await.unwrap();
    add("2", Some(date(2026, 2, 1))).await.unwrap();
    add("3", None).await.unwrap();
    let e = add("4", Some(date(2026, 2, 1))).await.unwrap_err();
    assert!(
        invalid(e)
            .problem
            .contains("already effective from 2026-02-01")
    );
    let statuses: Vec<String> = w
        .store
        .procedures(date(2026, 3, 1))
        .await
        .unwrap()
        .iter()
        .map(|p| format!("{}:{:?}", p.version.version, p.status))
        .collect();
    assert_eq!(statuses, ["1:Superseded", "2:Effective", "3:Draft"]);
    w.store
        .approve_procedure(&w.quality, "SOP-BAT", "3", date(2026, 6, 1), now())
        .await
        .unwrap();
    let e = w
        .store
        .approve_procedure(&w.quality, "SOP-BAT", "3", date(2026, 7, 1), now())
        .await
        .unwrap_err();
    assert!(invalid(e).problem.contains("issue a new version instead"));
    let e = w
        .store
        .add_procedure_version(&w.quality, procedure("SOP-X", "1", "teleport", None), now())
        .await
        .unwrap_err();
    assert!(
        invalid(e)
            .problem
            .contains("\"teleport\" is not a service event type")
    );
}

async fn training_needs_a_real_procedure_version_and_another_trainer(db: &TestDb) {
    let w = world(db).await;
    w.store
        .add_procedure_version(
            &w.quality,
            procedure(
                "SOP-BAT",
                "1",
                "battery-replacement",
                Some(date(2025, 1, 1)),
            ),
            now(),
        )
        .await
        .unwrap();
    let t = |person: &str, version: &str, trainer: &str, day| NewTraining {
        person: person.into(),
        procedure_id: "SOP-BAT".into(),
        procedure_version: version.into(),
        trained_on: day,
        trainer: trainer.into(),
        check_kind: CheckKind::Test,
        result: CheckResult::Pass,
    };
    let today = date(2026, 3, 2);
    w.store
        .add_training(
            &w.quality,
            t("tech", "1", "qm", date(2025, 2, 1)),
            today,
            now(),
        )
        .await
        .unwrap();
    let cases = [
        (
            t("tech", "9", "qm", date(2025, 2, 1)),
            "has no version \"9\" (known: 1)",
        ),
        (
            t("tech", "1", "tech", date(2025, 2, 1)),
            "cannot check their own competence",
        ),
        (
            t("ghost", "1", "qm", date(2025, 2, 1)),
            "no person \"ghost\"",
        ),
        (t("tech", "1", "qm", date(2026, 3, 3)), "is in the future"),
    ];
    for (training, expected) in cases {
        let e = writes_nothing!(
            w.store,
            w.store
                .add_training(&w.quality, training, today, now())
                .await
                .unwrap_err()
        );
        assert!(invalid(e).problem.contains(expected), "{expected}");
    }
    assert_eq!(w.store.trainings(Some("tech")).await.unwrap().len(), 1);
}

async fn a_batch_with_a_bad_item_writes_nothing(db: &TestDb) {
    let w = world(db).await;
    let mut items: Vec<(String, NewDevice)> = (0..50)
        .map(|i| {
            (
                format!("f.csv line {}", i + 2),
                device(&format!("B-{i}"), "IT"),
            )
        })
        .collect();
    items.push(("f.csv line 52".into(), device("SN-1", "FR")));
    let e = writes_nothing!(
        w.store,
        w.store
            .import_devices(&w.admin, items.clone(), now(), &mut |_| {})
            .await
            .unwrap_err()
    );
    assert!(invalid(e).field.starts_with("f.csv line 52, --serial"));
    assert_eq!(w.store.devices(None, None).await.unwrap().len(), 2);
    // Without the bad item the batch applies, and applying it again changes nothing.
    items.pop();
    let s = w
        .store
        .import_devices(&w.admin, items.clone(), now(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!((s.added, s.unchanged), (50, 0));
    let s = writes_nothing!(
        w.store,
        w.store
            .import_devices(&w.admin, items, now(), &mut |_| {})
            .await
            .unwrap()
    );
    assert_eq!((s.added, s.unchanged), (0, 50));
}

async fn software_history_keeps_every_version(db: &TestDb) {
    let w = world(db).await;
    let d = w
        .store
        .find_device("--serial", "SN-1", None, 2026)
        .await
        .unwrap();
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    w.store
        .set_device_software(&w.tech, &d, "2.1.0", at("2026-02-01T08:00:00Z"), now())
        .await
        .unwrap();
    let detail = w.store.device_detail(d).await.unwrap();
    let versions: Vec<&str> = detail
        .software_history
        .iter()
        .map(|h| h.version.as_str())
        .collect();
    assert_eq!(
        versions,
        ["2.1.0", "2.0.0"],
        "ordered by installation instant"
    );
    assert_eq!(detail.software.as_deref(), Some("2.0.0"));
    let versions = w.store.software_versions(Some("pt2")).await.unwrap();
    assert_eq!(versions.len(), 2, "2.1.0 registered on first mention");
}

async fn unknown_actor_is_bad_input(db: &TestDb) {
    let w = world(db).await;
    let e = w.store.actor("mallory").await.unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(e.to_string(), "--as: no person \"mallory\" in this store");
}

vigilo_testdb::backend_tests!(
    auditors_only_read,
    technicians_cannot_release_lots,
    duplicate_serial_is_bad_input,
    unknown_product_names_the_known_ones,
    udi_registers_serial_and_production_data,
    partner_people_cannot_hold_quality_roles,
    procedure_versions_supersede_by_date,
    training_needs_a_real_procedure_version_and_another_trainer,
    a_batch_with_a_bad_item_writes_nothing,
    software_history_keeps_every_version,
    unknown_actor_is_bad_input,
);
