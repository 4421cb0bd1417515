//! Registry subcommands (SPEC §5): flags into the shared requests (`vigilo_store::requests`),
//! the store's operations, output.

use crate::Ctx;
use crate::output::{local, opt, table};
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;
use vigilo_registry::input::{self, Invalid};
use vigilo_registry::{Country, DeviceStatus, LotStatus, Product, Role};
use vigilo_store::registry::Init;
use vigilo_store::requests::{
    AgreementRequest, DeviceRequest, EventTypeRequest, LotRequest, OrgRequest, PersonRequest,
    ProcedureRequest, ProductRequest, SoftwareRequest, Spelling, TrainingRequest,
};

// ---- init ------------------------------------------------------------------------------------

#[derive(Args)]
pub struct InitArgs {
    /// Identifier of the manufacturer's organisation.
    #[arg(long)]
    org: String,
    #[arg(long)]
    org_name: String,
    /// IANA time zone that decides calendar dates (deadlines, reports).
    #[arg(long, default_value = "UTC")]
    timezone: String,
    /// Identifier of the first admin.
    #[arg(long)]
    admin: String,
    #[arg(long)]
    admin_name: String,
}

pub async fn init(ctx: &Ctx, a: InitArgs) -> anyhow::Result<()> {
    let init = Init {
        org_id: input::identifier("--org", &a.org)?,
        org_name: input::text("--org-name", &a.org_name)?,
        timezone: input::timezone("--timezone", &a.timezone)?,
        admin_id: input::identifier("--admin", &a.admin)?,
        admin_name: input::text("--admin-name", &a.admin_name)?,
    };
    let store = vigilo_store::Store::open(&ctx.db, vigilo_store::OpenMode::Create).await?;
    let (org, admin) = store.init(init, ctx.now).await?;
    ctx.out.emit(
        &json!({"id": org.id, "organisation": org, "admin": admin, "store": store.location()}),
        || {
            format!(
                "initialised {} for {} ({}); admin {}: act as them with --as {}",
                store.location(),
                org.name,
                org.timezone.as_deref().unwrap_or("UTC"),
                admin.name,
                admin.id
            )
        },
    )
}

// ---- organisations ---------------------------------------------------------------------------

#[derive(Args)]
pub struct AgreementArgs {
    /// Reference of the quality agreement.
    #[arg(long)]
    agreement: Option<String>,
    #[arg(long, value_name = "DATE")]
    valid_from: Option<String>,
    #[arg(long, value_name = "DATE")]
    valid_to: Option<String>,
    /// Countries the partner's engineers may service (ISO 3166-1 alpha-2, comma-separated).
    #[arg(long, value_name = "CC,CC")]
    countries: Option<String>,
}

impl AgreementArgs {
    fn request(&self) -> AgreementRequest {
        AgreementRequest {
            agreement: self.agreement.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            countries: self.countries.clone(),
        }
    }
}

#[derive(Subcommand)]
pub enum OrgCmd {
    /// Add an affiliate, or a service partner (--partner) with its quality agreement.
    Add {
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        partner: bool,
        #[command(flatten)]
        agreement: AgreementArgs,
    },
    /// Add a further (e.g. renewed) quality agreement to a partner.
    Agreement {
        org: String,
        #[command(flatten)]
        agreement: AgreementArgs,
    },
    List,
    Show {
        id: String,
    },
}

fn agreement_text(a: &vigilo_registry::QualityAgreement) -> String {
    let countries: Vec<String> = a.countries.iter().map(ToString::to_string).collect();
    format!(
        "{} {}..{} {}",
        a.reference,
        a.valid_from,
        a.valid_to,
        countries.join(",")
    )
}

pub async fn org(ctx: &Ctx, cmd: OrgCmd) -> anyhow::Result<()> {
    match cmd {
        OrgCmd::Add {
            id,
            name,
            partner,
            agreement,
        } => {
            let request = OrgRequest {
                id,
                name,
                partner,
                agreement: agreement.request(),
            };
            let (id, name, agreement) = request.parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let v = store.add_org(&actor, id, name, agreement, ctx.now).await?;
            ctx.out.emit(&v, || {
                format!(
                    "added {} organisation {} ({})",
                    v.org.kind, v.org.id, v.org.name
                )
            })
        }
        OrgCmd::Agreement { org, agreement } => {
            let a = agreement.request().parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let a = store.add_agreement(&actor, &org, a, ctx.now).await?;
            ctx.out.emit(&a, || {
                format!("added agreement {} to {}", agreement_text(&a), a.org)
            })
        }
        OrgCmd::List => {
            let orgs = ctx.store().await?.orgs().await?;
            ctx.out.emit(&json!({ "organisations": orgs }), || {
                let rows: Vec<Vec<String>> = orgs
                    .iter()
                    .map(|o| {
                        let agreements: Vec<String> =
                            o.agreements.iter().map(agreement_text).collect();
                        vec![
                            o.org.id.clone(),
                            o.org.kind.to_string(),
                            o.org.name.clone(),
                            agreements.join("; "),
                        ]
                    })
                    .collect();
                table(&["id", "kind", "name", "quality agreements"], &rows)
            })
        }
        OrgCmd::Show { id } => {
            let o = ctx.store().await?.org(&id).await?;
            ctx.out.emit(&o, || {
                let mut s = format!("{} — {} ({})\n", o.org.id, o.org.name, o.org.kind);
                if let Some(tz) = &o.org.timezone {
                    s.push_str(&format!("time zone: {tz}\n"));
                }
                for a in &o.agreements {
                    s.push_str(&format!("agreement: {}\n", agreement_text(a)));
                }
                s
            })
        }
    }
}

// ---- people ----------------------------------------------------------------------------------

#[derive(Subcommand)]
pub enum PersonCmd {
    /// Add a person with roles: admin, triager, technician, vigilance, pms, security, quality, auditor.
    Add {
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        org: String,
        #[arg(long = "role", value_name = "ROLE[,ROLE]")]
        roles: String,
    },
    List,
    /// A person with their training records.
    Show {
        id: String,
    },
    /// Set a person's password for the web application, read from the first line of stdin
    /// (at least 12 characters).
    SetPassword {
        id: String,
    },
}

fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(Role::as_str).collect::<Vec<_>>().join(",")
}

pub async fn person(ctx: &Ctx, cmd: PersonCmd) -> anyhow::Result<()> {
    match cmd {
        PersonCmd::Add {
            id,
            name,
            org,
            roles,
        } => {
            let (id, name, org, roles) = PersonRequest {
                id,
                name,
                org,
                role: roles,
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let p = store
                .add_person(&actor, id, name, &org, roles, ctx.now)
                .await?;
            ctx.out.emit(&p, || {
                format!(
                    "added person {} ({}) of {} as {}",
                    p.id,
                    p.name,
                    p.org,
                    roles_text(&p.roles)
                )
            })
        }
        PersonCmd::List => {
            let people = ctx.store().await?.persons().await?;
            ctx.out.emit(&json!({ "persons": people }), || {
                let rows: Vec<Vec<String>> = people
                    .iter()
                    .map(|p| {
                        vec![
                            p.id.clone(),
                            p.name.clone(),
                            p.org.clone(),
                            roles_text(&p.roles),
                        ]
                    })
                    .collect();
                table(&["id", "name", "org", "roles"], &rows)
            })
        }
        PersonCmd::SetPassword { id } => crate::web_cmd::set_password(ctx, &id).await,
        PersonCmd::Show { id } => {
            let store = ctx.store().await?;
            let p = store.person(&id).await?;
            let trainings = store.trainings(Some(&id)).await?;
            ctx.out
                .emit(&json!({"person": p, "trainings": trainings}), || {
                    let mut s = format!(
                        "{} — {} of {} ({})\n",
                        p.id,
                        p.name,
                        p.org,
                        roles_text(&p.roles)
                    );
                    s.push_str(&training_table(&trainings));
                    s
                })
        }
    }
}

// ---- products, event types, software ---------------------------------------------------------

#[derive(Subcommand)]
pub enum ProductCmd {
    Add {
        id: String,
        #[arg(long)]
        name: String,
        /// EU MDR risk class: I, IIa, IIb or III.
        #[arg(long)]
        class: String,
        /// FDA class: I, II or III.
        #[arg(long)]
        fda_class: Option<String>,
        /// GS1 GTIN of the device model.
        #[arg(long)]
        udi_di: Option<String>,
        #[arg(long)]
        basic_udi_di: Option<String>,
        /// EU, US or ISO country codes, comma-separated.
        #[arg(long)]
        markets: Option<String>,
        /// IFU maintenance schedule, e.g. battery-replacement=24m,calibration=12m.
        #[arg(long)]
        schedule: Option<String>,
    },
    List,
    /// A product with its software versions and device count.
    Show {
        id: String,
    },
}

fn product_row(p: &Product) -> Vec<String> {
    let schedule: Vec<String> = p.schedule.iter().map(|(k, v)| format!("{k}={v}")).collect();
    vec![
        p.id.clone(),
        p.name.clone(),
        p.eu_class.to_string(),
        opt(&p.fda_class),
        opt(&p.udi_di),
        p.markets.join(","),
        schedule.join(","),
    ]
}

const PRODUCT_HEADERS: [&str; 7] = [
    "id",
    "name",
    "EU class",
    "FDA class",
    "UDI-DI",
    "markets",
    "schedule",
];

pub async fn product(ctx: &Ctx, cmd: ProductCmd) -> anyhow::Result<()> {
    match cmd {
        ProductCmd::Add {
            id,
            name,
            class,
            fda_class,
            udi_di,
            basic_udi_di,
            markets,
            schedule,
        } => {
            let request = ProductRequest {
                id,
                name,
                class,
                fda_class,
                udi_di,
                basic_udi_di,
                markets,
                schedule,
            };
            let product = request.parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let p = store.add_product(&actor, product, ctx.now).await?;
            ctx.out.emit(&p, || {
                format!("added product {} ({}, class {})", p.id, p.name, p.eu_class)
            })
        }
        ProductCmd::List => {
            let products = ctx.store().await?.products().await?;
            ctx.out.emit(&json!({ "products": products }), || {
                table(
                    &PRODUCT_HEADERS,
                    &products.iter().map(product_row).collect::<Vec<_>>(),
                )
            })
        }
        ProductCmd::Show { id } => {
            let v = ctx.store().await?.product(&id).await?;
            ctx.out.emit(&v, || {
                let mut s = table(&PRODUCT_HEADERS, &[product_row(&v.product)]);
                s.push_str(&format!("\n{} devices\n\nsoftware versions\n", v.devices));
                let rows: Vec<Vec<String>> = v
                    .software_versions
                    .iter()
                    .map(|sv| vec![sv.version.clone(), opt(&sv.released_on)])
                    .collect();
                s.push_str(&table(&["version", "released"], &rows));
                s
            })
        }
    }
}

#[derive(Subcommand)]
pub enum EventTypeCmd {
    Add {
        id: String,
        #[arg(long)]
        name: String,
    },
    List,
}

pub async fn event_type(ctx: &Ctx, cmd: EventTypeCmd) -> anyhow::Result<()> {
    match cmd {
        EventTypeCmd::Add { id, name } => {
            let t = EventTypeRequest { id, name }.parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let t = store.add_event_type(&actor, t, ctx.now).await?;
            ctx.out.emit(&t, || {
                format!("added service event type {} ({})", t.id, t.name)
            })
        }
        EventTypeCmd::List => {
            let types = ctx.store().await?.event_types().await?;
            ctx.out.emit(&json!({ "event_types": types }), || {
                let rows: Vec<Vec<String>> = types
                    .iter()
                    .map(|t| vec![t.id.clone(), t.name.clone()])
                    .collect();
                table(&["id", "name"], &rows)
            })
        }
    }
}

#[derive(Subcommand)]
pub enum SoftwareCmd {
    Add {
        #[arg(long)]
        product: String,
        #[arg(long)]
        version: String,
        #[arg(long, value_name = "DATE")]
        released: Option<String>,
    },
    List {
        #[arg(long)]
        product: Option<String>,
    },
}

pub async fn software(ctx: &Ctx, cmd: SoftwareCmd) -> anyhow::Result<()> {
    match cmd {
        SoftwareCmd::Add {
            product,
            version,
            released,
        } => {
            let (product, version, released) = SoftwareRequest {
                product,
                version,
                released,
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let v = store
                .add_software_version(&actor, &product, version, released, ctx.now)
                .await?;
            ctx.out.emit(&v, || {
                format!("added software version {} of {}", v.version, v.product)
            })
        }
        SoftwareCmd::List { product } => {
            let versions = ctx
                .store()
                .await?
                .software_versions(product.as_deref())
                .await?;
            ctx.out.emit(&json!({ "software_versions": versions }), || {
                let rows: Vec<Vec<String>> = versions
                    .iter()
                    .map(|v| vec![v.product.clone(), v.version.clone(), opt(&v.released_on)])
                    .collect();
                table(&["product", "version", "released"], &rows)
            })
        }
    }
}

// ---- devices ---------------------------------------------------------------------------------

/// Names one device: a serial (of a product) or a scanned UDI.
#[derive(Args)]
pub struct DeviceRef {
    /// Serial number, or a GS1 UDI string carrying one.
    serial: String,
    /// The product, when the serial alone is ambiguous.
    #[arg(long)]
    product: Option<String>,
}

impl DeviceRef {
    async fn resolve(
        &self,
        ctx: &Ctx,
        store: &vigilo_store::Store,
    ) -> anyhow::Result<vigilo_registry::Device> {
        let year = ctx.now.to_zoned(jiff::tz::TimeZone::UTC).year();
        Ok(store
            .find_device("SERIAL", &self.serial, self.product.as_deref(), year)
            .await?)
    }
}

#[derive(Subcommand)]
pub enum DeviceCmd {
    /// Register a device (by --serial, or by a scanned --udi).
    Add {
        #[arg(long)]
        product: Option<String>,
        #[arg(long, required_unless_present = "udi")]
        serial: Option<String>,
        /// GS1 UDI string: GTIN, serial and production identifiers in one.
        #[arg(long)]
        udi: Option<String>,
        #[arg(long, value_name = "ISO2")]
        country: String,
        /// Installed software version.
        #[arg(long)]
        software: Option<String>,
        #[arg(long)]
        customer: Option<String>,
        /// Production lot (UDI-PI).
        #[arg(long)]
        lot: Option<String>,
        #[arg(long, value_name = "DATE")]
        manufactured: Option<String>,
        #[arg(long, value_name = "DATE")]
        expiry: Option<String>,
    },
    /// Register devices from a CSV file in one transaction: all rows or none. Columns: product,
    /// serial, country, software, customer, lot, manufactured, expiry (product may come from
    /// --product). Rows already registered with the same data are left as they are.
    Import {
        file: PathBuf,
        #[arg(long)]
        product: Option<String>,
    },
    List {
        #[arg(long)]
        product: Option<String>,
        #[arg(long, value_name = "ISO2")]
        country: Option<String>,
    },
    /// A device with its software history.
    Show(DeviceRef),
    /// Record the software version a device runs from an instant on.
    SetSoftware {
        #[command(flatten)]
        device: DeviceRef,
        #[arg(long)]
        version: String,
        #[arg(long, value_name = "INSTANT")]
        at: String,
    },
    /// Mark a device in-field, returned or scrapped.
    SetStatus {
        #[command(flatten)]
        device: DeviceRef,
        #[arg(long)]
        status: String,
    },
}

fn device_row(d: &vigilo_registry::Device, software: &Option<String>) -> Vec<String> {
    vec![
        d.id.to_string(),
        d.product.clone(),
        d.serial.clone(),
        d.country.to_string(),
        d.status.to_string(),
        opt(software),
        opt(&d.customer),
    ]
}

const DEVICE_HEADERS: [&str; 7] = [
    "id", "product", "serial", "country", "status", "software", "customer",
];

pub async fn device(ctx: &Ctx, cmd: DeviceCmd) -> anyhow::Result<()> {
    match cmd {
        DeviceCmd::Add {
            product,
            serial,
            udi,
            country,
            software,
            customer,
            lot,
            manufactured,
            expiry,
        } => {
            let request = DeviceRequest {
                product,
                serial,
                udi,
                country,
                software,
                customer,
                lot,
                manufactured,
                expiry,
            };
            let new = request.parse(
                Spelling::Flags,
                ctx.now.to_zoned(jiff::tz::TimeZone::UTC).year(),
            )?;
            let (store, actor) = ctx.store_as().await?;
            let d = store.add_device(&actor, new, ctx.now).await?;
            ctx.out.emit(&d, || {
                format!(
                    "added device {}: {} serial {} in {}",
                    d.device.id, d.device.product, d.device.serial, d.device.country
                )
            })
        }
        DeviceCmd::Import { file, product } => crate::device_import::run(ctx, &file, product).await,
        DeviceCmd::List { product, country } => {
            let country = country
                .map(|c| Country::parse("--country", &c))
                .transpose()?;
            let devices = ctx
                .store()
                .await?
                .devices(product.as_deref(), country)
                .await?;
            ctx.out.emit(&json!({ "devices": devices }), || {
                let rows: Vec<Vec<String>> = devices
                    .iter()
                    .map(|d| device_row(&d.device, &d.software))
                    .collect();
                table(&DEVICE_HEADERS, &rows)
            })
        }
        DeviceCmd::Show(r) => {
            let store = ctx.store().await?;
            let tz = ctx.zone(&store).await?;
            let d = store.device_detail(r.resolve(ctx, &store).await?).await?;
            ctx.out.emit(&d, || {
                let mut s = table(&DEVICE_HEADERS, &[device_row(&d.device, &d.software)]);
                s.push_str(&format!(
                    "lot {}  manufactured {}  expires {}\n\nsoftware history\n",
                    opt(&d.device.lot),
                    opt(&d.device.manufactured_on),
                    opt(&d.device.expires_on)
                ));
                let rows: Vec<Vec<String>> = d
                    .software_history
                    .iter()
                    .map(|h| vec![local(h.installed_at, &tz), h.version.clone()])
                    .collect();
                s.push_str(&table(&["from", "version"], &rows));
                s
            })
        }
        DeviceCmd::SetSoftware {
            device,
            version,
            at,
        } => {
            let version = input::label("--version", &version)?;
            let at = input::instant("--at", &at)?;
            let (store, actor) = ctx.store_as().await?;
            let d = device.resolve(ctx, &store).await?;
            let entry = store
                .set_device_software(&actor, &d, &version, at, ctx.now)
                .await?;
            ctx.out.emit(&entry, || {
                format!(
                    "device {} runs {} from {}",
                    d.serial, entry.version, entry.installed_at
                )
            })
        }
        DeviceCmd::SetStatus { device, status } => {
            let status = DeviceStatus::parse("--status", &status)?;
            let (store, actor) = ctx.store_as().await?;
            let d = device.resolve(ctx, &store).await?;
            let d = store.set_device_status(&actor, &d, status, ctx.now).await?;
            ctx.out
                .emit(&d, || format!("device {} is {}", d.serial, d.status))
        }
    }
}

// ---- procedures and training -----------------------------------------------------------------

#[derive(Subcommand)]
pub enum ProcedureCmd {
    /// Add a version of a procedure; with --effective it supersedes the earlier version from
    /// that date, without it is a draft.
    Add {
        id: String,
        #[arg(long)]
        version: String,
        #[arg(long)]
        title: String,
        /// Service event types this version governs.
        #[arg(long, value_name = "TYPE[,TYPE]")]
        governs: String,
        #[arg(long, value_name = "DATE")]
        effective: Option<String>,
    },
    /// Make a draft version effective from a date.
    Approve {
        id: String,
        #[arg(long)]
        version: String,
        #[arg(long, value_name = "DATE")]
        effective: String,
    },
    /// Every version with its status (draft, scheduled, effective, superseded).
    List {
        /// The day the status is judged on (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
}

pub async fn procedure(ctx: &Ctx, cmd: ProcedureCmd) -> anyhow::Result<()> {
    match cmd {
        ProcedureCmd::Add {
            id,
            version,
            title,
            governs,
            effective,
        } => {
            let new = ProcedureRequest {
                id,
                version,
                title,
                governs,
                effective,
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let v = store.add_procedure_version(&actor, new, ctx.now).await?;
            ctx.out.emit(&v, || {
                format!(
                    "added {} version {} ({}), {}",
                    v.procedure_id,
                    v.version,
                    v.title,
                    v.effective_on
                        .map_or("draft".to_owned(), |d| format!("effective from {d}"))
                )
            })
        }
        ProcedureCmd::Approve {
            id,
            version,
            effective,
        } => {
            let effective = input::date("--effective", &effective)?;
            let (store, actor) = ctx.store_as().await?;
            let v = store
                .approve_procedure(&actor, &id, &version, effective, ctx.now)
                .await?;
            ctx.out.emit(&v, || {
                format!(
                    "{} version {} effective from {effective}",
                    v.procedure_id, v.version
                )
            })
        }
        ProcedureCmd::List { as_of } => {
            let store = ctx.store().await?;
            let day = match as_of {
                Some(d) => input::date("--as-of", &d)?,
                None => ctx.today(&store).await?,
            };
            let procedures = store.procedures(day).await?;
            ctx.out
                .emit(&json!({ "as_of": day, "procedures": procedures }), || {
                    let rows: Vec<Vec<String>> = procedures
                        .iter()
                        .map(|p| {
                            vec![
                                p.version.procedure_id.clone(),
                                p.version.version.clone(),
                                p.status.to_string(),
                                opt(&p.version.effective_on),
                                p.version.governs.join(","),
                                p.version.title.clone(),
                            ]
                        })
                        .collect();
                    table(
                        &[
                            "procedure",
                            "version",
                            "status",
                            "effective",
                            "governs",
                            "title",
                        ],
                        &rows,
                    )
                })
        }
    }
}

#[derive(Subcommand)]
pub enum TrainingCmd {
    /// Record a training on a procedure version with its competence check.
    Add {
        #[arg(long)]
        person: String,
        #[arg(long)]
        procedure: String,
        #[arg(long)]
        version: String,
        #[arg(long, value_name = "DATE")]
        date: String,
        #[arg(long)]
        trainer: String,
        /// test, supervised or sign-off.
        #[arg(long)]
        check: String,
        /// pass or fail.
        #[arg(long)]
        result: String,
    },
    List {
        #[arg(long)]
        person: Option<String>,
    },
    /// Who may do which service event type, on which procedure version, until when.
    Matrix {
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
}

fn training_table(trainings: &[vigilo_registry::TrainingRecord]) -> String {
    let rows: Vec<Vec<String>> = trainings
        .iter()
        .map(|t| {
            vec![
                t.person.clone(),
                format!("{} v{}", t.procedure_id, t.procedure_version),
                t.trained_on.to_string(),
                t.trainer.clone(),
                t.check_kind.to_string(),
                t.result.to_string(),
            ]
        })
        .collect();
    table(
        &["person", "procedure", "date", "trainer", "check", "result"],
        &rows,
    )
}

pub async fn training(ctx: &Ctx, cmd: TrainingCmd) -> anyhow::Result<()> {
    match cmd {
        TrainingCmd::Add {
            person,
            procedure,
            version,
            date,
            trainer,
            check,
            result,
        } => {
            let t = TrainingRequest {
                person,
                procedure,
                version,
                date,
                trainer,
                check,
                result,
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let today = ctx.today(&store).await?;
            let t = store.add_training(&actor, t, today, ctx.now).await?;
            ctx.out.emit(&t, || {
                format!(
                    "recorded training {}: {} on {} v{} ({} {})",
                    t.id, t.person, t.procedure_id, t.procedure_version, t.check_kind, t.result
                )
            })
        }
        TrainingCmd::List { person } => {
            let trainings = ctx.store().await?.trainings(person.as_deref()).await?;
            ctx.out.emit(&json!({ "trainings": trainings }), || {
                training_table(&trainings)
            })
        }
        TrainingCmd::Matrix { as_of } => crate::service_cmd::training_matrix(ctx, as_of).await,
    }
}

// ---- part lots -------------------------------------------------------------------------------

#[derive(Subcommand)]
pub enum LotCmd {
    /// Receive a lot of a spare part.
    Add {
        #[arg(long)]
        part: String,
        #[arg(long)]
        lot: String,
        #[arg(long)]
        qty: String,
        #[arg(long)]
        location: Option<String>,
        /// Stock status on receipt: released, or quarantined pending incoming inspection.
        #[arg(long, default_value = "released")]
        status: String,
    },
    /// Release, quarantine or recall a lot.
    SetStatus {
        lot: String,
        /// released, quarantined or recalled.
        status: String,
        #[arg(long)]
        part: Option<String>,
    },
    List,
    Show {
        lot: String,
        #[arg(long)]
        part: Option<String>,
    },
}

fn lot_table(lots: &[vigilo_registry::PartLot]) -> String {
    let rows: Vec<Vec<String>> = lots
        .iter()
        .map(|l| {
            vec![
                l.part.clone(),
                l.lot.clone(),
                l.quantity.to_string(),
                opt(&l.location),
                l.status.to_string(),
            ]
        })
        .collect();
    table(&["part", "lot", "qty", "location", "status"], &rows)
}

pub async fn lot(ctx: &Ctx, cmd: LotCmd) -> anyhow::Result<()> {
    match cmd {
        LotCmd::Add {
            part,
            lot,
            qty,
            location,
            status,
        } => {
            let new = LotRequest {
                part,
                lot,
                qty,
                location,
                status: Some(status),
            }
            .parse(Spelling::Flags)?;
            let (store, actor) = ctx.store_as().await?;
            let l = store.add_lot(&actor, new, ctx.now).await?;
            ctx.out.emit(&l, || {
                format!(
                    "received lot {} of {} ({} pcs, {})",
                    l.lot, l.part, l.quantity, l.status
                )
            })
        }
        LotCmd::SetStatus { lot, status, part } => {
            let status = LotStatus::parse("STATUS", &status)?;
            let (store, actor) = ctx.store_as().await?;
            let l = store.resolve_lot(&lot, part.as_deref()).await?;
            let l = store.set_lot_status(&actor, &l, status, ctx.now).await?;
            ctx.out.emit(&l, || {
                format!("lot {} of {} is {}", l.lot, l.part, l.status)
            })
        }
        LotCmd::List => {
            let lots = ctx.store().await?.lots().await?;
            ctx.out.emit(&json!({ "lots": lots }), || lot_table(&lots))
        }
        LotCmd::Show { lot, part } => {
            let l = ctx
                .store()
                .await?
                .resolve_lot(&lot, part.as_deref())
                .await?;
            ctx.out.emit(&l, || lot_table(std::slice::from_ref(&l)))
        }
    }
}

// ---- UDI -------------------------------------------------------------------------------------

#[derive(Subcommand)]
pub enum UdiCmd {
    /// Parse a GS1 UDI: (01)GTIN(11)YYMMDD(17)YYMMDD(10)LOT(21)SERIAL, or the scanned form with
    /// GS separators.
    Parse { udi: String },
}

pub fn udi(ctx: &Ctx, cmd: UdiCmd) -> anyhow::Result<()> {
    match cmd {
        UdiCmd::Parse { udi } => {
            // The GS1 century rule reads two-digit years relative to the current year.
            let year = ctx.now.to_zoned(jiff::tz::TimeZone::UTC).year();
            let parsed = vigilo_udi::parse(&udi, year)
                .map_err(|e| Invalid::new("UDI", format!("{udi:?}: {e}")))?;
            ctx.out.emit(&parsed, || {
                format!(
                    "GTIN {}\nserial {}\nlot {}\nmanufactured {}\nexpiry {}",
                    parsed.gtin,
                    opt(&parsed.serial),
                    opt(&parsed.lot),
                    opt(&parsed.manufactured),
                    opt(&parsed.expiry)
                )
            })
        }
    }
}
