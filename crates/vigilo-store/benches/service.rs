//! Service-operations benchmark at fleet scale (issue: 100,000 devices, 1,000,000 service
//! events). Builds the store through the same operations the CLI uses — device import, then
//! service events in bulk files of 100,000 with every rule checked and every record in the
//! audit chain — and times the ingest, then `trace lot`, `trace device` and the 90-day service
//! list in-process over repeated runs. Not a test: it asserts nothing.
//!
//! `cargo bench -p vigilo-store --bench service` (SQLite);
//! `VIGILO_BENCH_BACKEND=postgres cargo bench -p vigilo-store --bench service` (PostgreSQL, through
//! the test harness's server). `VIGILO_BENCH_DEVICES` and `VIGILO_BENCH_EVENTS` scale it down;
//! `VIGILO_BENCH_KEEP=PATH` keeps the SQLite store there, to study its queries afterwards.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Result;
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use std::time::{Duration, Instant};
use vigilo_registry::{CheckKind, CheckResult, Country, LotStatus, Product, Role};
use vigilo_registry::{DeviceScope, schedule::parse_schedule};
use vigilo_service::ServiceOutcome;
use vigilo_store::registry::{Init, NewDevice, NewLot, NewProcedureVersion, NewTraining};
use vigilo_store::service::{DeviceKey, NewServiceEvent, PartUse};
use vigilo_store::{OpenMode, Store};
use vigilo_testdb::TestDb;

const TECHNICIANS: usize = 40;
const LOTS: usize = 2_000;
const BATCH: usize = 100_000;
const COUNTRIES: [&str; 5] = ["DE", "AT", "FR", "IT", "NL"];
/// (event type, share of events, consumes a part)
const MIX: [(&str, u32, bool); 4] = [
    ("functional-check", 45, false),
    ("battery-replacement", 30, true),
    ("repair", 15, true),
    ("firmware-update", 10, false),
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    format!(
        "n={} p50={:.1} ms p95={:.1} ms max={:.1} ms",
        samples.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let devices = env_usize("VIGILO_BENCH_DEVICES", 100_000);
    let events = env_usize("VIGILO_BENCH_EVENTS", 1_000_000);
    let backend = std::env::var("VIGILO_BENCH_BACKEND").unwrap_or_else(|_| "sqlite".into());
    let db = match backend.as_str() {
        "postgres" => TestDb::postgres()
            .await
            .ok_or_else(|| anyhow::anyhow!("no PostgreSQL available"))?,
        _ => TestDb::sqlite(),
    };
    let store = Store::open(&db.url(), OpenMode::Create).await?;
    let now: Timestamp = "2026-11-21T12:00:00Z".parse()?;
    let mut rng = fastrand::Rng::with_seed(2026);
    println!("backend {backend}: {devices} devices, {events} service events");

    let setup = Instant::now();
    store
        .init(
            Init {
                org_id: "acme".into(),
                org_name: "Acme Medical".into(),
                timezone: "Europe/Berlin".into(),
                admin_id: "admin".into(),
                admin_name: "Ada Admin".into(),
            },
            now,
        )
        .await?;
    let admin = store.actor("admin").await?;
    let qm = store
        .add_person(
            &admin,
            "qm".into(),
            "Quality".into(),
            "acme",
            vec![Role::Quality],
            now,
        )
        .await?;
    let qm = vigilo_store::registry::Actor { person: qm };
    store
        .add_product(
            &qm,
            Product {
                id: "pt2".into(),
                name: "PulseTherm P2".into(),
                eu_class: vigilo_registry::EuClass::IIa,
                fda_class: None,
                udi_di: None,
                basic_udi_di: None,
                markets: vec!["EU".into()],
                schedule: parse_schedule("s", "battery-replacement=24m,functional-check=12m")?,
            },
            now,
        )
        .await?;
    for (t, _, _) in MIX {
        store
            .add_procedure_version(
                &qm,
                NewProcedureVersion {
                    procedure_id: format!("SOP-{t}"),
                    version: "1".into(),
                    title: t.into(),
                    governs: vec![t.into()],
                    effective_on: Some(date(2018, 1, 1)),
                },
                now,
            )
            .await?;
    }
    for i in 0..TECHNICIANS {
        let id = format!("tech{i:02}");
        store
            .add_person(
                &admin,
                id.clone(),
                id.clone(),
                "acme",
                vec![Role::Technician],
                now,
            )
            .await?;
        for (t, _, _) in MIX {
            store
                .add_training(
                    &qm,
                    NewTraining {
                        person: id.clone(),
                        procedure_id: format!("SOP-{t}"),
                        procedure_version: "1".into(),
                        trained_on: date(2018, 6, 1),
                        trainer: "qm".into(),
                        check_kind: CheckKind::Test,
                        result: CheckResult::Pass,
                    },
                    date(2026, 11, 21),
                    now,
                )
                .await?;
        }
    }
    for i in 0..LOTS {
        store
            .add_lot(
                &qm,
                NewLot {
                    part: format!("P-{:02}", i % 20),
                    lot: format!("L{i:05}"),
                    quantity: 1_000_000,
                    location: None,
                    status: LotStatus::Released,
                },
                now,
            )
            .await?;
    }
    let items: Vec<(String, NewDevice)> = (0..devices)
        .map(|i| {
            (
                format!("device {i}"),
                NewDevice {
                    product: Some("pt2".into()),
                    serial: Some(format!("SN-{i:07}")),
                    country: Some(
                        Country::parse("c", COUNTRIES[i % COUNTRIES.len()]).expect("valid"),
                    ),
                    manufactured_on: Some(
                        date(2018, 1, 1) + SignedDuration::from_hours(24 * (i % 2500) as i64),
                    ),
                    ..NewDevice::default()
                },
            )
        })
        .collect();
    let t = Instant::now();
    store
        .import_devices(&admin, items, now, &mut |_| {})
        .await?;
    println!(
        "setup: {devices} devices imported in {:.1} s (setup total {:.1} s)",
        t.elapsed().as_secs_f64(),
        setup.elapsed().as_secs_f64()
    );

    // Events spread over 2019-01-01 .. 2026-11-20: ten per device over eight years.
    let start = Timestamp::from_second(1_546_300_800)?.as_second();
    let end = Timestamp::from_second(1_795_132_800)?.as_second();
    let total_weight: u32 = MIX.iter().map(|m| m.1).sum();
    let mut ingest = Duration::ZERO;
    let mut done = 0;
    while done < events {
        let n = BATCH.min(events - done);
        let items: Vec<(String, NewServiceEvent)> = (0..n)
            .map(|k| {
                let mut w = rng.u32(0..total_weight);
                let (event_type, _, consumes) = *MIX
                    .iter()
                    .find(|m| {
                        if w < m.1 {
                            true
                        } else {
                            w -= m.1;
                            false
                        }
                    })
                    .expect("weights cover the range");
                let lot = rng.usize(0..LOTS);
                let parts = if consumes {
                    vec![PartUse {
                        part: Some(format!("P-{:02}", lot % 20)),
                        lot: format!("L{lot:05}"),
                        quantity: 1,
                    }]
                } else {
                    Vec::new()
                };
                let outcome = if rng.u8(0..100) < 95 {
                    ServiceOutcome::Pass
                } else {
                    ServiceOutcome::Fail
                };
                (
                    format!("event {}", done + k),
                    NewServiceEvent {
                        device: DeviceKey::Serial {
                            serial: format!("SN-{:07}", rng.usize(0..devices)),
                            product: None,
                        },
                        event_type: event_type.into(),
                        technician: format!("tech{:02}", rng.usize(0..TECHNICIANS)),
                        performed_at: Timestamp::from_second(rng.i64(start..end))
                            .expect("in range"),
                        parts,
                        outcome,
                        ticket: None,
                        software_after: None,
                        findings: None,
                        source_ref: Some(format!("bench-{}", done + k)),
                    },
                )
            })
            .collect();
        let t = Instant::now();
        let summary = store
            .import_service_events(&admin, items, now, &mut |_| {})
            .await?;
        let took = t.elapsed();
        ingest += took;
        done += n;
        println!(
            "ingest batch: {} events in {:.2} s = {:.0} events/s",
            summary.added,
            took.as_secs_f64(),
            summary.added as f64 / took.as_secs_f64()
        );
    }
    println!(
        "ingest: {events} events in {:.1} s = {:.0} events/s (audit chain on, rules checked)",
        ingest.as_secs_f64(),
        events as f64 / ingest.as_secs_f64()
    );

    let lots = store.lots().await?;
    let mut samples = Vec::new();
    let mut rows = 0;
    for _ in 0..200 {
        let lot = &lots[rng.usize(0..lots.len())];
        let t = Instant::now();
        rows += store.trace_lot(lot).await?.devices.len();
        samples.push(t.elapsed());
    }
    println!(
        "trace lot: {} ({} devices per lot on average)",
        percentiles(samples),
        rows / 200
    );

    let mut samples = Vec::new();
    let mut rows = 0;
    for _ in 0..200 {
        let serial = format!("SN-{:07}", rng.usize(0..devices));
        let t = Instant::now();
        let device = store.find_device("SERIAL", &serial, None, 2026).await?;
        rows += store.trace_device(&device).await?.events.len();
        samples.push(t.elapsed());
    }
    println!(
        "trace device: {} ({} events per device on average)",
        percentiles(samples),
        rows / 200
    );

    let since = now - SignedDuration::from_hours(24 * 90);
    let partner = DeviceScope::Countries(vec![Country::parse("c", "AT")?]);
    for (label, scope, limit) in [
        ("90-day list, whole fleet", &DeviceScope::All, None),
        ("90-day list, one partner country", &partner, None),
        (
            "90-day list, first page of 500",
            &DeviceScope::All,
            Some(500),
        ),
    ] {
        let mut samples = Vec::new();
        let (mut rows, mut total) = (0, 0);
        for _ in 0..30 {
            let t = Instant::now();
            let (events, all) = store.recent_service(since, scope, limit).await?;
            (rows, total) = (events.len(), all);
            samples.push(t.elapsed());
        }
        println!(
            "{label}: {} ({rows} of {total} events listed)",
            percentiles(samples)
        );
    }

    let t = Instant::now();
    let due = store
        .maintenance_due(date(2026, 11, 21), 30, None, &DeviceScope::All)
        .await?;
    println!(
        "maintenance due: {} items in {:.2} s",
        due.len(),
        t.elapsed().as_secs_f64()
    );
    if std::env::var_os("VIGILO_BENCH_VERIFY").is_some() {
        let t = Instant::now();
        let v = store.verify().await?;
        println!(
            "audit verify: {:?} in {:.1} s",
            v.map(|v| v.events),
            t.elapsed().as_secs_f64()
        );
    }
    if let (Some(keep), TestDb::Sqlite { path, .. }) = (std::env::var_os("VIGILO_BENCH_KEEP"), &db)
    {
        store.close().await;
        std::fs::copy(path, &keep)?;
        println!("store kept at {}", std::path::Path::new(&keep).display());
    }
    Ok(())
}
