//! `vigilo demo`: a store seeded with SPEC's worked example, to explore Vigilo with.
//!
//! A class IIa portable therapy device sold in five EU member states, about 2,000 devices, a
//! battery replaced every 24 months and a yearly functional check, an internal service team and
//! a partner covering two countries, procedures in two versions, training records, two years of
//! software history, a help-desk inbox, two years of complaints with a rise in battery complaints
//! last month, vigilance cases in every state, an FSCA and earlier PMS reviews. Generated from a
//! fixed seed, relative to today, so every run looks alike.

use crate::Ctx;
use clap::Args;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use std::path::PathBuf;
use vigilo_incident::Annex;
use vigilo_intel::register::{ReviewOutcome, SourceKind};
use vigilo_registry::schedule::parse_schedule;
use vigilo_registry::{
    CheckKind, CheckResult, Country, EuClass, FdaClass, LotStatus, ProcedureVersion, Product, Role,
};
use vigilo_security::{
    Criteria, Exploitability, Harm, Outcome as SecurityOutcome, Reachability, Remediation,
    SignalKind, TriageInput,
};
use vigilo_service::{Channel, ServiceOutcome, TicketClass};
use vigilo_store::fsca::NewFsca;
use vigilo_store::registry::{
    Actor, Init, NewAgreement, NewDevice, NewLot, NewProcedureVersion, NewTraining,
};
use vigilo_store::security::{NewSignal, Subject};
use vigilo_store::service::{DeviceKey, NewServiceEvent, PartUse};
use vigilo_store::sources::NewSource;
use vigilo_store::tickets::{ComplaintUpdate, NewAttachment, NewTicket};
use vigilo_store::{OpenMode, Select, Store};
use vigilo_trends::{Month, TrendConfig};
use vigilo_vigilance::{Category, IncidentDetails, ReportKind, ReviewDecision};

#[derive(Args)]
pub struct DemoArgs {
    /// Where the demo store lives.
    #[arg(long, default_value = "vigilo-demo.db")]
    path: PathBuf,
    /// Delete an existing demo store and seed a new one.
    #[arg(long)]
    fresh: bool,
    /// How many devices to seed.
    #[arg(long, default_value_t = 2000)]
    devices: usize,
    /// Seed (or reuse) the store and print what to try, without serving it.
    #[arg(long)]
    seed_only: bool,
    #[command(flatten)]
    serve: crate::web_cmd::ServeArgs,
}

/// Every demo person signs in with this password.
pub const DEMO_PASSWORD: &str = "vigilo-demo-2026";

const COUNTRIES: [(&str, &[&str]); 5] = [
    (
        "DE",
        &[
            "Charité Homecare Berlin",
            "Uniklinik Köln",
            "Reha-Zentrum München",
            "MediVital Hamburg",
        ],
    ),
    ("AT", &["AKH Wien", "LKH Graz", "Ordensklinikum Linz"]),
    (
        "FR",
        &["AP-HP Paris", "CHU de Lyon", "Clinique du Parc Toulouse"],
    ),
    (
        "IT",
        &[
            "Ospedale Niguarda Milano",
            "Policlinico Gemelli Roma",
            "AOU Careggi Firenze",
        ],
    ),
    (
        "NL",
        &["Erasmus MC Rotterdam", "UMC Utrecht", "Thuiszorg Amsterdam"],
    ),
];

const SOFTWARE: [(&str, i64); 3] = [("2.0.0", 30), ("2.1.0", 16), ("2.2.1", 5)];

fn path_url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}

pub async fn run(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<()> {
    let url = path_url(&args.path);
    let fresh = args.fresh || !args.path.exists();
    if fresh {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", args.path.display()));
            if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
        let store = Store::open(&url, OpenMode::Create).await?;
        seed(&store, ctx.now, args.devices).await?;
        store.close().await;
    }
    let store = Store::open(&url, OpenMode::Existing).await?;
    let devices = store.count(&vigilo_store::schema::DEVICES).await?;
    let (events, _) = store.audit_head().await?;
    let db = format!("--db {url}");
    let summary = serde_json::json!({"store": url, "devices": devices, "audit_events": events, "fresh": fresh,
        "password": DEMO_PASSWORD,
        "sign_in_as": {"admin": "admin", "quality": "qm.weber", "vigilance": "vig.laurent",
                       "pms": "pms.rossi", "technician": "tech.schmidt",
                       "partner_technician": "alp.huber", "auditor": "audit.nb"}});
    let people = format!(
        "People (password {DEMO_PASSWORD}): qm.weber (quality), vig.laurent (vigilance),\n\
         pms.rossi (PMS), help.meyer (help desk), tech.schmidt (technician), alp.huber (partner\n\
         technician, AT and IT only), audit.nb (auditor, read-only), admin."
    );
    let store_line = format!(
        "Vigilo demo store {} ({devices} devices, {events} audit events{}).",
        args.path.display(),
        if fresh { ", freshly seeded" } else { "" }
    );
    let last_month = {
        let first = ctx
            .now
            .to_zoned(store.zone().await?)
            .date()
            .first_of_month();
        first
            .saturating_sub(1.months())
            .strftime("%Y-%m")
            .to_string()
    };
    if args.seed_only {
        return ctx.out.emit(&summary, || {
            format!(
                "{store_line}\n{people}\n\nTry:\n  \
                 vigilo {db} demo                      (serve it)\n  \
                 vigilo {db} device show PT2-000042\n  \
                 vigilo {db} procedure list\n  \
                 vigilo {db} vigilance list\n  \
                 vigilo {db} trends --product pulsetherm-p2 --month {last_month}\n  \
                 vigilo {db} fsca show FSCA-2026-01\n  \
                 vigilo {db} --as audit.nb lot set-status L2405 released     (refused: auditors only read)\n  \
                 vigilo {db} audit verify\n"
            )
        });
    }
    crate::web_cmd::serve(store, &args.serve, |address| {
        println!("{store_line}\nOpen {address}/ and sign in as qm.weber with password {DEMO_PASSWORD}.\n{people}\nAPI: {address}/api/openapi.json. Stop with Ctrl-C.");
    })
    .await
}

async fn seed(store: &Store, now: Timestamp, device_count: usize) -> anyhow::Result<()> {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin")?;
    let today = now.to_zoned(tz.clone()).date();
    let months_ago = |m: i64| today.checked_sub(m.months()).expect("within jiff's range");
    let at = |d: Date| {
        d.to_zoned(tz.clone())
            .expect("a valid local date")
            .timestamp()
    };

    store
        .init(
            Init {
                org_id: "acme-med".into(),
                org_name: "Acme Medical GmbH".into(),
                timezone: "Europe/Berlin".into(),
                admin_id: "admin".into(),
                admin_name: "Vigilo Administrator".into(),
            },
            now,
        )
        .await?;
    let admin = store.actor("admin").await?;
    let country = |c: &str| Country::parse("country", c).expect("demo countries are valid");

    store
        .add_org(
            &admin,
            "alpenservice".into(),
            "AlpenService Medizintechnik GmbH".into(),
            Some(NewAgreement {
                reference: "QA-2024-017".into(),
                valid_from: months_ago(30),
                valid_to: months_ago(-18),
                countries: vec![country("AT"), country("IT")],
            }),
            now,
        )
        .await?;
    let people: [(&str, &str, &str, &[Role]); 12] = [
        ("qm.weber", "Dr. Anna Weber", "acme-med", &[Role::Quality]),
        (
            "vig.laurent",
            "Claire Laurent",
            "acme-med",
            &[Role::Vigilance],
        ),
        ("pms.rossi", "Marco Rossi", "acme-med", &[Role::Pms]),
        ("sec.novak", "Jan Novak", "acme-med", &[Role::Security]),
        ("sec.okafor", "Ada Okafor", "acme-med", &[Role::Security]),
        ("help.meyer", "Lena Meyer", "acme-med", &[Role::Triager]),
        (
            "tech.schmidt",
            "Jonas Schmidt",
            "acme-med",
            &[Role::Technician],
        ),
        ("tech.dubois", "Luc Dubois", "acme-med", &[Role::Technician]),
        ("tech.visser", "Eva Visser", "acme-med", &[Role::Technician]),
        (
            "alp.huber",
            "Florian Huber",
            "alpenservice",
            &[Role::Technician],
        ),
        (
            "alp.bianchi",
            "Giulia Bianchi",
            "alpenservice",
            &[Role::Technician],
        ),
        (
            "audit.nb",
            "Notified Body Auditor",
            "acme-med",
            &[Role::Auditor],
        ),
    ];
    for (id, name, org, roles) in people {
        store
            .add_person(&admin, id.into(), name.into(), org, roles.to_vec(), now)
            .await?;
    }
    for id in std::iter::once("admin").chain(people.iter().map(|p| p.0)) {
        let hash = vigilo_web::auth::hash_password(DEMO_PASSWORD)?;
        store.set_password_hash(&admin, id, hash, now).await?;
    }
    let qm = store.actor("qm.weber").await?;

    store
        .add_product(
            &qm,
            Product {
                id: "pulsetherm-p2".into(),
                name: "PulseTherm P2 portable therapy unit".into(),
                eu_class: EuClass::IIa,
                fda_class: Some(FdaClass::II),
                udi_di: Some("04260123450007".into()),
                basic_udi_di: Some("426012345PT2XY".into()),
                markets: vec!["EU".into()],
                schedule: parse_schedule("s", "battery-replacement=24m,functional-check=12m")?,
            },
            now,
        )
        .await?;
    for (version, months) in SOFTWARE {
        store
            .add_software_version(
                &qm,
                "pulsetherm-p2",
                version.into(),
                Some(months_ago(months)),
                now,
            )
            .await?;
    }
    seed_procedures(store, &qm, &months_ago, now).await?;
    seed_lots(store, &qm, now).await?;

    let mut rng = fastrand::Rng::with_seed(2026);
    let items: Vec<(String, NewDevice)> = (1..=device_count)
        .map(|n| {
            let (cc, customers) = COUNTRIES[rng.usize(..COUNTRIES.len())];
            let built = months_ago(30 - (n as i64 * 29 / device_count.max(1) as i64));
            let new = NewDevice {
                product: Some("pulsetherm-p2".into()),
                serial: Some(format!("PT2-{n:06}")),
                country: Some(country(cc)),
                customer: Some(customers[rng.usize(..customers.len())].into()),
                software: Some(SOFTWARE[0].0.into()),
                software_since: Some(at(built)),
                lot: Some(format!("PT2-{}", built.strftime("%y%m"))),
                manufactured_on: Some(built),
                expires_on: built.checked_add(10.years()).ok(),
                ..NewDevice::default()
            };
            (format!("demo device {n}"), new)
        })
        .collect();
    store
        .import_devices(&admin, items, now, &mut |_| {})
        .await?;

    // Field updates: most devices took 2.1.0, recent ones 2.2.1.
    let tech = store.actor("tech.schmidt").await?;
    for d in store.devices(Some("pulsetherm-p2"), None).await? {
        let built = d.device.manufactured_on.unwrap_or(today);
        for (version, months) in &SOFTWARE[1..] {
            let release = months_ago(*months);
            if built < release && rng.u8(..10) < 8 {
                let when = at(release.checked_add((rng.i64(5..120)).days())?.min(today));
                store
                    .set_device_software(&tech, &d.device, version, when, now)
                    .await?;
            }
        }
    }
    seed_service(store, &admin, now, &mut rng).await?;
    seed_tickets(store, now, &mut rng).await?;
    seed_vigilance(store, now, &mut rng).await?;
    seed_security(store, now).await?;
    Ok(())
}

/// The software's SBOMs and a real advisory against them: the Laravel 7.12.0 SBOM (CycloneDX's
/// bom-examples, CC0) stands for the device's service portal; 2.1.0 shipped league/flysystem
/// 1.1.3, which GHSA-9f46-5r25-5wfm (CVE-2021-32708) affects, and 2.2.1 the fixed 1.1.10. A
/// vendor advisory past its 30-day target and a threat-intelligence note wait in the queue;
/// the sources register holds the feeds they come from.
async fn seed_security(store: &Store, now: Timestamp) -> anyhow::Result<()> {
    const SBOM: &str = include_str!(
        "../../vigilo-sbom/tests/data/cyclonedx/bom-examples/laravel-7.12.0/bom.1.4.json"
    );
    const ADVISORY: &[u8] = include_bytes!(
        "../../vigilo-osv/tests/data/advisories/osv-scanner-offline-dbs/Packagist/GHSA-9f46-5r25-5wfm.json"
    );
    let qm = store.actor("qm.weber").await?;
    let sec = store.actor("sec.novak").await?;
    store
        .set_setting(
            &qm,
            "publisher-namespace",
            "https://psirt.acme-med.example",
            now,
        )
        .await?;
    let mut old: serde_json::Value = serde_json::from_str(SBOM)?;
    for c in old["components"].as_array_mut().into_iter().flatten() {
        if c["purl"] == "pkg:composer/league/flysystem@1.1.10" {
            c["version"] = "1.1.3".into();
            c["purl"] = "pkg:composer/league/flysystem@1.1.3".into();
        }
    }
    let old = serde_json::to_vec(&old)?;
    for (version, bytes) in [("2.1.0", old.as_slice()), ("2.2.1", SBOM.as_bytes())] {
        store
            .import_sbom(
                &sec,
                "pulsetherm-p2",
                version,
                &format!("portal-{version}.cdx.json"),
                bytes,
                now,
            )
            .await?;
    }
    let advisory = vigilo_osv::parse_json(ADVISORY)?;
    store
        .import_advisories(
            &sec,
            vec![("GHSA-9f46-5r25-5wfm.json".into(), advisory)],
            now,
        )
        .await?;
    for finding in store
        .findings(Some("pulsetherm-p2"), Some("2.1.0"), false)
        .await?
    {
        store
            .triage_signal(
                &sec,
                Subject::Finding(finding.finding.id),
                TriageInput {
                    outcome: SecurityOutcome::PatchManagement,
                    criteria: Criteria {
                        exploitability: Exploitability::Theoretical,
                        reachability: Reachability::Reachable,
                        harm: Harm::NonSerious,
                    },
                    rationale: "The service portal's log upload writes through flysystem; a race \
                                could overwrite its configuration. No therapy function is involved."
                        .into(),
                    justification: None,
                    action: Some(
                        "Update to software 2.2.1, which ships league/flysystem 1.1.10.".into(),
                    ),
                    remediation: Some(Remediation::VendorFix),
                },
                now,
            )
            .await?;
    }
    let days_ago = |d: i64| now - jiff::SignedDuration::from_hours(24 * d);
    let feeds = [
        (
            "osv-packagist",
            "OSV: Packagist (GitHub Advisory Database)",
            SourceKind::Osv,
            Some("https://osv-vulnerabilities.storage.googleapis.com/Packagist/all.zip"),
            30,
        ),
        (
            "cisa-kev",
            "CISA Known Exploited Vulnerabilities",
            SourceKind::Kev,
            Some(
                "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
            ),
            30,
        ),
        (
            "radio-vendor-psirt",
            "Wireless module vendor PSIRT page",
            SourceKind::Vendor,
            None,
            14,
        ),
    ];
    for (id, name, kind, url, cadence_days) in feeds {
        store
            .add_source(
                &sec,
                NewSource {
                    id: id.into(),
                    name: name.into(),
                    kind,
                    url: url.map(str::to_owned),
                    owner: "sec.novak".into(),
                    backup: "sec.okafor".into(),
                    cadence_days,
                },
                now,
            )
            .await?;
    }
    store
        .review_source(
            &sec,
            "osv-packagist",
            now,
            ReviewOutcome::Ok,
            "Feed complete for the portal's Composer packages; no gaps since the last review.",
            now,
        )
        .await?;
    for signal in [
        NewSignal {
            kind: SignalKind::VendorAdvisory,
            title: "Wireless module firmware: heap overflow in the BLE pairing handler".into(),
            body: "The radio module's vendor reports a heap overflow reachable during BLE pairing \
                   (demo data, not a real advisory)."
                .into(),
            reference: Some("DEMO-VENDOR-SA-2026-07".into()),
            cves: Vec::new(),
            cvss: vec!["CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into()],
            product: Some("pulsetherm-p2".into()),
            versions: vec!["2.1.0".into(), "2.2.1".into()],
            received_at: days_ago(40),
        },
        NewSignal {
            kind: SignalKind::ThreatIntel,
            title: "Health-ISAC: scanning of hospital networks for portable therapy devices".into(),
            body: "Increased scanning of TCP 8443 on clinical VLANs (demo data).".into(),
            reference: None,
            cves: Vec::new(),
            cvss: Vec::new(),
            product: None,
            versions: Vec::new(),
            received_at: days_ago(3),
        },
    ] {
        store.record_signal(&sec, signal, now).await?;
    }
    Ok(())
}

/// Two years of service history: yearly functional checks and a battery change at 24 months,
/// each done by a technician the rules authorise on that day (some devices are left due, so the
/// maintenance list has work on it), recorded as one bulk file would be.
async fn seed_service(
    store: &Store,
    admin: &Actor,
    now: Timestamp,
    rng: &mut fastrand::Rng,
) -> anyhow::Result<()> {
    use vigilo_service::authorisation::authorise_service;
    let zone = store.zone().await?;
    let today = now.to_zoned(zone.clone()).date();
    let procedures = store.fetch(Select::<ProcedureVersion>::all()).await?;
    let technicians = store.engineers().await?;
    let mut items = Vec::new();
    for d in store.devices(Some("pulsetherm-p2"), None).await? {
        let built = d.device.manufactured_on.unwrap_or(today);
        let mut plan: Vec<(&str, Date)> = Vec::new();
        for year in 1..=3 {
            plan.push((
                "functional-check",
                built.saturating_add((12 * year).months()),
            ));
        }
        plan.push(("battery-replacement", built.saturating_add(24.months())));
        for (event_type, due) in plan {
            let day = due.saturating_add(rng.i64(-20..25).days());
            // One in ten is left undone: the maintenance list shows them overdue.
            if day >= today || rng.u8(..10) == 0 {
                continue;
            }
            let start = rng.usize(..technicians.len());
            let authorised = (0..technicians.len())
                .map(|i| &technicians[(start + i) % technicians.len()])
                .find(|f| {
                    authorise_service(f.engineer(), &procedures, event_type, d.device.country, day)
                        .is_ok()
                });
            let Some(tech) = authorised else {
                continue;
            };
            let battery = event_type == "battery-replacement";
            let lot = if day < today.saturating_sub(10.months()) {
                "L2401"
            } else {
                "L2502"
            };
            items.push((
                format!("demo service {}", items.len() + 1),
                NewServiceEvent {
                    device: DeviceKey::Device(d.device.clone()),
                    event_type: event_type.into(),
                    technician: tech.person.id.clone(),
                    performed_at: day
                        .at(rng.i8(8..17), rng.i8(0..60), 0, 0)
                        .to_zoned(zone.clone())?
                        .timestamp(),
                    parts: if battery {
                        vec![
                            PartUse {
                                part: Some("BAT-7420".into()),
                                lot: lot.into(),
                                quantity: 1,
                            },
                            PartUse {
                                part: Some("SEAL-118".into()),
                                lot: "S2404".into(),
                                quantity: 2,
                            },
                        ]
                    } else {
                        Vec::new()
                    },
                    outcome: if rng.u8(..50) == 0 {
                        ServiceOutcome::Fail
                    } else {
                        ServiceOutcome::Pass
                    },
                    ticket: None,
                    software_after: None,
                    findings: None,
                    source_ref: None,
                },
            ));
        }
    }
    store
        .import_service_events(admin, items, now, &mut |_| {})
        .await?;
    Ok(())
}

/// A help-desk inbox of the last days: overdue and fresh tickets, a complaint under
/// investigation flagged as a suspected serious incident, and a caller whose serial is unknown.
async fn seed_tickets(
    store: &Store,
    now: Timestamp,
    rng: &mut fastrand::Rng,
) -> anyhow::Result<()> {
    let help = store.actor("help.meyer").await?;
    let qm = store.actor("qm.weber").await?;
    let devices = store.devices(Some("pulsetherm-p2"), None).await?;
    let calls = [
        (Channel::Phone, 80, "Battery drains within two hours", None),
        (
            Channel::Email,
            70,
            "Display stays dark after self-test",
            None,
        ),
        (
            Channel::Portal,
            30,
            "Request for the current IFU in Italian",
            Some((TicketClass::Information, "documentation request")),
        ),
        (
            Channel::Partner,
            20,
            "Annual check found a cracked housing clip",
            Some((TicketClass::Service, "wear part, scheduled repair")),
        ),
        (
            Channel::Phone,
            9,
            "Unit switched off during therapy, patient transferred",
            Some((TicketClass::Complaint, "malfunction during use")),
        ),
        (Channel::Field, 5, "Charger LED flickers", None),
        (Channel::Email, 2, "Alarm tone very quiet", None),
    ];
    for (i, (channel, hours_ago, summary, triage)) in calls.into_iter().enumerate() {
        let device = devices[rng.usize(..devices.len())].device.clone();
        let received_at = now - (hours_ago as i64).hours();
        let view = store
            .open_ticket(
                &help,
                NewTicket {
                    channel,
                    received_at,
                    reporter: Some(format!("caller {}", i + 1)),
                    device_hint: Some(device.serial.clone()),
                    device: Some(device),
                    summary: summary.into(),
                    description: None,
                    // A mailed report comes with the unit's alarm log, downloadable from the
                    // ticket page.
                    attachments: if channel == Channel::Email {
                        vec![NewAttachment {
                            name: "alarm-log.txt".into(),
                            content_type: "text/plain".into(),
                            content: format!(
                                "{received_at} ALARM volume=1 (set 5)\n{received_at} SELFTEST speaker PASS\n"
                            )
                            .into_bytes(),
                        }]
                    } else {
                        Vec::new()
                    },
                    source_ref: None,
                },
                now,
            )
            .await?;
        let Some((class, reason)) = triage else {
            continue;
        };
        let id = view.ticket.id;
        store
            .triage_ticket(&help, id, class, reason.into(), now)
            .await?;
        if class == TicketClass::Complaint {
            store.flag_serious(&help, id, received_at, now).await?;
            store
                .update_complaint(
                    &qm,
                    id,
                    ComplaintUpdate {
                        investigation: Some(
                            "Unit returned; cell from lot L2405 shows internal short".into(),
                        ),
                        ..ComplaintUpdate::default()
                    },
                    now,
                )
                .await?;
        }
    }
    store
        .open_ticket(
            &help,
            NewTicket {
                channel: Channel::Phone,
                received_at: now - 6.hours(),
                reporter: Some("Klinikum Nord, ward 3".into()),
                device: None,
                device_hint: Some("PT2-99x (caller unsure)".into()),
                summary: "Device shows error E-41".into(),
                description: None,
                attachments: Vec::new(),
                source_ref: None,
            },
            now,
        )
        .await?;
    Ok(())
}

/// Opens a complaint about `device` received at `at`, triaged and given an IMDRF Annex A code;
/// every step dated as it happened (time is a parameter).
async fn complaint(
    store: &Store,
    device: &vigilo_registry::Device,
    at: Timestamp,
    summary: &str,
    code: &str,
) -> anyhow::Result<i64> {
    let help = store.actor("help.meyer").await?;
    let view = store
        .open_ticket(
            &help,
            NewTicket {
                channel: Channel::Phone,
                received_at: at,
                reporter: Some(device.customer.clone().unwrap_or_default()),
                device_hint: Some(device.serial.clone()),
                device: Some(device.clone()),
                summary: summary.into(),
                description: None,
                attachments: Vec::new(),
                source_ref: None,
            },
            at,
        )
        .await?;
    let id = view.ticket.id;
    let later = at + 3.hours();
    store
        .triage_ticket(
            &help,
            id,
            TicketClass::Complaint,
            "device problem reported by the user".into(),
            later,
        )
        .await?;
    store
        .code_ticket(&help, id, &[(Annex::A, code.into())], later)
        .await?;
    Ok(id)
}

/// Two years of complaints at a steady rate with a rise in battery complaints last month (the
/// trend test's signal), vigilance cases in every state (undecided, an escalation breach, a
/// report on time, a late one, a case judged not reportable), an FSCA for a battery lot with
/// some customers' acknowledgements, and the PMS reviews of earlier months.
async fn seed_vigilance(
    store: &Store,
    now: Timestamp,
    rng: &mut fastrand::Rng,
) -> anyhow::Result<()> {
    let zone = store.zone().await?;
    let today = now.to_zoned(zone.clone()).date();
    let devices = store.devices(Some("pulsetherm-p2"), None).await?;
    // A device already in the field on `day`: complaints come from devices that shipped.
    let in_field = |rng: &mut fastrand::Rng, day: Date| {
        let shipped: Vec<&vigilo_registry::Device> = devices
            .iter()
            .map(|d| &d.device)
            .filter(|d| d.manufactured_on.is_none_or(|m| m < day))
            .collect();
        (!shipped.is_empty()).then(|| shipped[rng.usize(..shipped.len())].clone())
    };
    let pick = |rng: &mut fastrand::Rng| {
        in_field(rng, today.saturating_sub(60.days())).unwrap_or_else(|| devices[0].device.clone())
    };
    let day_at = |d: Date, rng: &mut fastrand::Rng| -> anyhow::Result<Timestamp> {
        Ok(d.at(rng.i8(8..18), rng.i8(0..60), 0, 0)
            .to_zoned(zone.clone())?
            .timestamp())
    };
    let this_month = today.first_of_month();
    const PROBLEMS: [(&str, &str); 4] = [
        ("A070504", "Battery drains faster than specified"),
        ("A1005", "Housing warm during charging"),
        ("A0902", "Display does not light up"),
        ("A1503", "Alarm not audible"),
    ];
    for back in 1..=24 {
        let month = this_month.saturating_sub(back.months());
        let last = back == 1;
        // About 3 complaints a month from 2,000 devices; last month the battery ones tripled.
        let count = if last { 11 } else { rng.usize(1..5) };
        for i in 0..count {
            let day = month.saturating_add(rng.i64(0..28).days());
            let (code, summary) = if last && i < 8 {
                PROBLEMS[0]
            } else {
                PROBLEMS[rng.usize(..PROBLEMS.len())]
            };
            if let Some(device) = in_field(rng, day) {
                complaint(store, &device, day_at(day, rng)?, summary, code).await?;
            }
        }
    }

    let help = store.actor("help.meyer").await?;
    let vig = store.actor("vig.laurent").await?;
    let case_of = |ticket: i64, store: &Store, aware: Timestamp, flagged: Timestamp| {
        let help = help.clone();
        let store = store.clone();
        async move {
            let (case, _) = store.flag_serious(&help, ticket, aware, flagged).await?;
            anyhow::Ok(case.id)
        }
    };
    // Reported on time: a serious incident, initial report on day 9 of 15.
    let aware = now - (20 * 24).hours();
    let t = complaint(
        store,
        &pick(rng),
        aware,
        "Unit hot, patient felt a burning sensation",
        "A1005",
    )
    .await?;
    let on_time = case_of(t, store, aware, aware + 2.hours()).await?;
    store
        .acknowledge_case(&vig, on_time, aware + 5.hours())
        .await?;
    store
        .decide_case(&vig, on_time, Category::SeriousIncident, "Overheating with a transient skin burn; no lasting harm. Reportable as other serious incident.", None, aware + 30.hours())
        .await?;
    let mut details = IncidentDetails::default();
    details.incident.device_problem_codes = vec!["A1005".into()];
    details.incident.health_effect_codes = vec!["E1705".into()];
    details.incident.description = Some("During charging the housing reached about 55 °C; the patient reported a burning sensation on the forearm.".into());
    store
        .set_case_details(&vig, on_time, details, aware + 48.hours())
        .await?;
    store
        .record_submission(
            &vig,
            on_time,
            ReportKind::Initial,
            None,
            aware + (9 * 24).hours(),
            Some("MIR-DE-2026-0117"),
            aware + (9 * 24).hours(),
        )
        .await?;
    // Late: a death-or-deterioration case whose initial report went in after day 10.
    let aware = now - (40 * 24).hours();
    let t = complaint(
        store,
        &pick(rng),
        aware,
        "Therapy stopped, patient hospitalised",
        "A070504",
    )
    .await?;
    let late = case_of(t, store, aware, aware + 1.hours()).await?;
    store
        .acknowledge_case(&vig, late, aware + 30.hours())
        .await?;
    store
        .decide_case(
            &vig,
            late,
            Category::DeathOrUnanticipatedSeriousDeterioration,
            "Loss of therapy led to hospital admission: unanticipated serious deterioration.",
            None,
            aware + 72.hours(),
        )
        .await?;
    store
        .record_submission(
            &vig,
            late,
            ReportKind::Initial,
            None,
            aware + (13 * 24).hours(),
            Some("MIR-FR-2026-0042"),
            aware + (13 * 24).hours(),
        )
        .await?;
    // Judged not reportable, with its rationale.
    let aware = now - (12 * 24).hours();
    let t = complaint(
        store,
        &pick(rng),
        aware,
        "Alarm quiet in a noisy ward",
        "A1503",
    )
    .await?;
    let nr = case_of(t, store, aware, aware + 1.hours()).await?;
    store.acknowledge_case(&vig, nr, aware + 4.hours()).await?;
    store
        .decide_case(&vig, nr, Category::NotReportable, "Alarm volume within specification; the ward had it at the lowest setting. No harm, none plausible.", None, aware + 48.hours())
        .await?;
    // Flagged three days ago and nobody from vigilance has it yet: an escalation breach.
    let aware = now - (3 * 24).hours();
    let t = complaint(store, &pick(rng), aware, "Smoke from the charger", "A1005").await?;
    case_of(t, store, aware, aware + 1.hours()).await?;

    // FSCA: software 2.1.0 lets the charger overheat; devices still on it get 2.2.1.
    let opened = now - (10 * 24).hours();
    let fsca = store
        .open_fsca(
            &vig,
            NewFsca {
                id: "FSCA-2026-01".into(),
                title: "Update PulseTherm P2 software 2.1.0 to 2.2.1 (charging temperature limit)".into(),
                product: "pulsetherm-p2".into(),
                versions: vec!["2.1.0".into()],
                reason: "Software 2.1.0 does not cap the charging current when the housing is warm (case investigation).".into(),
                notice: "URGENT FIELD SAFETY NOTICE\n\nPulseTherm P2 running software 2.1.0.\nA service engineer will install software 2.2.1. Until then, do not leave the unit charging unattended or covered.\nPlease confirm receipt of this notice.".into(),
                case_id: Some(on_time),
                ..NewFsca::default()
            },
            opened,
        )
        .await?;
    for c in fsca.progress.by_customer.iter().step_by(2) {
        store
            .acknowledge_fsca(
                &help,
                &fsca.fsca.id,
                &c.customer,
                opened + (2 * 24).hours(),
                opened + (2 * 24).hours(),
            )
            .await?;
    }

    // The PMS reviews of the months before last.
    let pms = store.actor("pms.rossi").await?;
    let config = TrendConfig::default();
    for (back, decision, notes) in [
        (
            3,
            ReviewDecision::NoAction,
            "No signal; complaint rate steady at about 1.5 per 1000 device-months.",
        ),
        (
            2,
            ReviewDecision::Monitor,
            "No signal; one display complaint cluster in NL, monitor next month.",
        ),
    ] {
        let first = this_month.saturating_sub((back as i64).months());
        let month = Month::new(first.year(), first.month())?;
        let at = this_month
            .saturating_sub(((back - 1) as i64).months())
            .saturating_add(3.days());
        store
            .record_review(&pms, month, decision, notes, &config, day_at(at, rng)?)
            .await?;
    }
    Ok(())
}

async fn seed_procedures(
    store: &Store,
    qm: &Actor,
    months_ago: &impl Fn(i64) -> Date,
    now: Timestamp,
) -> anyhow::Result<()> {
    let procedures = [
        (
            "SOP-SRV-001",
            "Battery replacement",
            "battery-replacement",
            30,
            8,
        ),
        (
            "SOP-SRV-002",
            "Annual functional check",
            "functional-check",
            30,
            5,
        ),
    ];
    for (id, title, governs, v1, v2) in procedures {
        for (version, months) in [("1", v1), ("2", v2)] {
            store
                .add_procedure_version(
                    qm,
                    NewProcedureVersion {
                        procedure_id: id.into(),
                        version: version.into(),
                        title: title.into(),
                        governs: vec![governs.into()],
                        effective_on: Some(months_ago(months)),
                    },
                    now,
                )
                .await?;
        }
    }
    // (person, procedure, version, months ago, check, result)
    let trainings = [
        (
            "tech.schmidt",
            "SOP-SRV-001",
            "1",
            29,
            CheckKind::Test,
            CheckResult::Pass,
        ),
        (
            "tech.schmidt",
            "SOP-SRV-001",
            "2",
            8,
            CheckKind::Test,
            CheckResult::Pass,
        ),
        (
            "tech.schmidt",
            "SOP-SRV-002",
            "1",
            29,
            CheckKind::SignOff,
            CheckResult::Pass,
        ),
        (
            "tech.schmidt",
            "SOP-SRV-002",
            "2",
            5,
            CheckKind::SignOff,
            CheckResult::Pass,
        ),
        (
            "tech.dubois",
            "SOP-SRV-001",
            "1",
            20,
            CheckKind::Supervised,
            CheckResult::Pass,
        ),
        (
            "tech.dubois",
            "SOP-SRV-001",
            "2",
            7,
            CheckKind::Test,
            CheckResult::Fail,
        ),
        (
            "tech.dubois",
            "SOP-SRV-002",
            "2",
            4,
            CheckKind::SignOff,
            CheckResult::Pass,
        ),
        (
            "tech.visser",
            "SOP-SRV-001",
            "2",
            6,
            CheckKind::Supervised,
            CheckResult::Pass,
        ),
        (
            "tech.visser",
            "SOP-SRV-002",
            "2",
            5,
            CheckKind::Test,
            CheckResult::Pass,
        ),
        (
            "alp.huber",
            "SOP-SRV-001",
            "1",
            24,
            CheckKind::Test,
            CheckResult::Pass,
        ),
        (
            "alp.huber",
            "SOP-SRV-001",
            "2",
            7,
            CheckKind::Test,
            CheckResult::Pass,
        ),
        (
            "alp.huber",
            "SOP-SRV-002",
            "2",
            5,
            CheckKind::SignOff,
            CheckResult::Pass,
        ),
        (
            "alp.bianchi",
            "SOP-SRV-002",
            "2",
            3,
            CheckKind::Supervised,
            CheckResult::Pass,
        ),
    ];
    for (person, procedure, version, months, check, result) in trainings {
        store
            .add_training(
                qm,
                NewTraining {
                    person: person.into(),
                    procedure_id: procedure.into(),
                    procedure_version: version.into(),
                    trained_on: months_ago(months),
                    trainer: "qm.weber".into(),
                    check_kind: check,
                    result,
                },
                months_ago(0),
                now,
            )
            .await?;
    }
    Ok(())
}

async fn seed_lots(store: &Store, qm: &Actor, now: Timestamp) -> anyhow::Result<()> {
    let lots = [
        ("BAT-7420", "L2311", 400, LotStatus::Recalled),
        ("BAT-7420", "L2401", 600, LotStatus::Released),
        ("BAT-7420", "L2405", 500, LotStatus::Quarantined),
        ("BAT-7420", "L2502", 800, LotStatus::Released),
        ("SEAL-118", "S2404", 2000, LotStatus::Released),
        ("PCB-MAIN-3", "P2410", 150, LotStatus::Released),
    ];
    for (part, lot, qty, status) in lots {
        store
            .add_lot(
                qm,
                NewLot {
                    part: part.into(),
                    lot: lot.into(),
                    quantity: qty,
                    location: Some("Warehouse Leipzig".into()),
                    status,
                },
                now,
            )
            .await?;
    }
    Ok(())
}
