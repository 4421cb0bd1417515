#![allow(dead_code)] // each test binary uses part of this shared module

//! A small registry every store test starts from.

use jiff::Timestamp;
use jiff::civil::date;
use vigilo_registry::schedule::parse_schedule;
use vigilo_registry::{Country, EuClass, LotStatus, Product, Role};
use vigilo_store::registry::{Actor, Init, NewAgreement, NewDevice, NewLot};
use vigilo_store::{OpenMode, Store};
use vigilo_testdb::TestDb;

pub fn now() -> Timestamp {
    "2026-03-02T10:00:00Z".parse().unwrap()
}

pub fn cc(c: &str) -> Country {
    Country::parse("c", c).unwrap()
}

pub struct World {
    pub store: Store,
    pub admin: Actor,
    pub quality: Actor,
    pub auditor: Actor,
    pub tech: Actor,
}

pub fn device(serial: &str, country: &str) -> NewDevice {
    NewDevice {
        product: Some("pt2".into()),
        serial: Some(serial.into()),
        country: Some(cc(country)),
        software: Some("2.0.0".into()),
        ..NewDevice::default()
    }
}

pub async fn world(db: &TestDb) -> World {
    let store = Store::open(&db.url(), OpenMode::Create).await.unwrap();
    store
        .init(
            Init {
                org_id: "acme".into(),
                org_name: "Acme Medical".into(),
                timezone: "Europe/Berlin".into(),
                admin_id: "admin".into(),
                admin_name: "Admin".into(),
            },
            now(),
        )
        .await
        .unwrap();
    let admin = store.actor("admin").await.unwrap();
    store
        .add_org(
            &admin,
            "alpen".into(),
            "AlpenService".into(),
            Some(NewAgreement {
                reference: "QA-1".into(),
                valid_from: date(2025, 1, 1),
                valid_to: date(2026, 12, 31),
                countries: vec![cc("AT"), cc("IT")],
            }),
            now(),
        )
        .await
        .unwrap();
    for (id, org, role) in [
        ("qm", "acme", Role::Quality),
        ("nb", "acme", Role::Auditor),
        ("tech", "acme", Role::Technician),
        ("huber", "alpen", Role::Technician),
    ] {
        store
            .add_person(&admin, id.into(), id.to_uppercase(), org, vec![role], now())
            .await
            .unwrap();
    }
    let quality = store.actor("qm").await.unwrap();
    store
        .add_product(
            &quality,
            Product {
                id: "pt2".into(),
                name: "PulseTherm P2".into(),
                eu_class: EuClass::IIa,
                fda_class: None,
                udi_di: Some("04260123450007".into()),
                basic_udi_di: None,
                markets: vec!["EU".into()],
                schedule: parse_schedule("s", "battery-replacement=24m,functional-check=12m")
                    .unwrap(),
            },
            now(),
        )
        .await
        .unwrap();
    store
        .add_device(&admin, device("SN-1", "DE"), now())
        .await
        .unwrap();
    store
        .add_device(&admin, device("SN-2", "AT"), now())
        .await
        .unwrap();
    store
        .add_lot(
            &quality,
            NewLot {
                part: "BAT-7420".into(),
                lot: "L1".into(),
                quantity: 100,
                location: None,
                status: LotStatus::Released,
            },
            now(),
        )
        .await
        .unwrap();
    World {
        auditor: store.actor("nb").await.unwrap(),
        tech: store.actor("tech").await.unwrap(),
        store,
        admin,
        quality,
    }
}
