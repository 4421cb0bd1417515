//! `vigilo`: the one binary. CLI subcommands for every capability; `--json` on everything a
//! script reads. Time is read here and nowhere else: the domain and the store take it as input.

mod audit_cmd;
mod csv_rows;
mod demo;
mod device_import;
mod findings_cmd;
mod output;
mod registry_cmd;
mod review_cmd;
mod sbom_cmd;
mod scan_cmd;
mod security_cmd;
mod service_cmd;
mod sources_cmd;
mod tools_cmd;
mod vigilance_cmd;
mod web_cmd;

// Bulk imports allocate per record and per bound value; glibc's malloc took a fifth of their
// time (perf record on the service-import benchmark).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use jiff::Timestamp;
use output::{Output, ProgressMode};
use std::process::ExitCode;
use vigilo_store::{OpenMode, Store};

#[derive(Parser)]
#[command(
    name = "vigilo",
    version,
    about = "Post-market surveillance, vigilance and service operations for medical-device manufacturers",
    after_help = "Exit status: 0 done; 1 refused by a rule; 2 bad input or usage; 3 the store failed."
)]
struct Cli {
    /// The store: sqlite://PATH (embedded) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "VIGILO_DATABASE_URL",
        default_value = "sqlite://./vigilo.db"
    )]
    db: String,
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// The acting person; every write is attributed to them.
    #[arg(long = "as", global = true, env = "VIGILO_AS", value_name = "PERSON")]
    as_person: Option<String>,
    /// Progress reporting of long commands.
    #[arg(long, global = true, value_enum, default_value_t = ProgressMode::Auto)]
    progress: ProgressMode,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a store: the manufacturer's organisation and its first admin.
    Init(registry_cmd::InitArgs),
    /// Organisations: the manufacturer, affiliates and service partners.
    #[command(subcommand)]
    Org(registry_cmd::OrgCmd),
    /// People and their roles.
    #[command(subcommand)]
    Person(registry_cmd::PersonCmd),
    /// Products (device models).
    #[command(subcommand)]
    Product(registry_cmd::ProductCmd),
    /// Service event types (battery replacement, calibration, …).
    #[command(subcommand, name = "event-type")]
    EventType(registry_cmd::EventTypeCmd),
    /// Software versions of products.
    #[command(subcommand)]
    Software(registry_cmd::SoftwareCmd),
    /// Devices in the field, keyed by serial number.
    #[command(subcommand)]
    Device(registry_cmd::DeviceCmd),
    /// Controlled procedures and their versions.
    #[command(subcommand)]
    Procedure(registry_cmd::ProcedureCmd),
    /// Training records with competence checks.
    #[command(subcommand)]
    Training(registry_cmd::TrainingCmd),
    /// Spare-part lots and their stock status.
    #[command(subcommand)]
    Lot(registry_cmd::LotCmd),
    /// GS1 UDI strings.
    #[command(subcommand)]
    Udi(registry_cmd::UdiCmd),
    /// Tickets: every inbound contact, its triage, complaint record and vigilance flag.
    #[command(subcommand)]
    Ticket(service_cmd::TicketCmd),
    /// Intake from e-mail.
    #[command(subcommand)]
    Intake(service_cmd::IntakeCmd),
    /// Service events: recorded only by authorised engineers.
    #[command(subcommand)]
    Service(service_cmd::ServiceCmd),
    /// Vigilance cases: deadlines, escalation, decisions, reports and report drafts.
    #[command(subcommand)]
    Vigilance(vigilance_cmd::VigilanceCmd),
    /// Public-holiday calendars that EU and US deadlines are counted with.
    #[command(subcommand)]
    Holidays(vigilance_cmd::HolidaysCmd),
    /// Field safety corrective actions: device lists per customer and acknowledgements.
    #[command(subcommand)]
    Fsca(vigilance_cmd::FscaCmd),
    /// SBOMs of software versions: the components cybersecurity monitoring covers.
    #[command(subcommand)]
    Sbom(sbom_cmd::SbomCmd),
    /// OSV advisory feeds.
    #[command(subcommand)]
    Advisories(findings_cmd::AdvisoriesCmd),
    /// Advisories affecting components of current SBOMs.
    #[command(subcommand)]
    Findings(findings_cmd::FindingsCmd),
    /// The advisory-sources register: owners, backups, review cadence, reviews and syncs.
    #[command(subcommand)]
    Source(sources_cmd::SourceCmd),
    /// Exploitation intelligence that enriches findings: CISA KEV and EPSS.
    #[command(subcommand)]
    Intel(sources_cmd::IntelCmd),
    /// The security intake queue: CVE matches, vendor advisories and threat-intelligence
    /// notes, their triage and response times.
    #[command(subcommand)]
    Security(security_cmd::SecurityCmd),
    /// VEX documents per software version: CycloneDX, OpenVEX, CSAF.
    #[command(subcommand)]
    Vex(security_cmd::VexCmd),
    /// Trend tests (MDR Art. 88): monthly rates per product, part, lot and problem code
    /// against a baseline.
    Trends(review_cmd::TrendsCmd),
    /// The monthly PMS service-data review and its quarterly summary.
    #[command(subcommand)]
    Review(review_cmd::ReviewCmd),
    /// Part-lot and device traceability.
    #[command(subcommand)]
    Trace(service_cmd::TraceCmd),
    /// Maintenance due from the IFU schedules.
    #[command(subcommand)]
    Maintenance(service_cmd::MaintenanceCmd),
    /// Organisation settings (triage period).
    #[command(subcommand)]
    Config(service_cmd::ConfigCmd),
    /// The tamper-evident audit chain.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCmd),
    /// API tokens for integrations.
    #[command(subcommand)]
    Token(web_cmd::TokenCmd),
    /// Serve the HTTP API and the web application.
    Serve(web_cmd::ServeArgs),
    /// Seed a store with a realistic dataset and serve it on localhost.
    Demo(demo::DemoArgs),
    /// Score a CVSS v2.0, v3.0, v3.1 or v4.0 vector.
    Cvss { vector: String },
    /// Canonicalise a package URL and show its parts.
    Purl { purl: String },
    /// Match SBOMs against OSV advisories without a store.
    Scan(scan_cmd::ScanArgs),
    /// Compare or sort versions as an ecosystem orders them.
    #[command(subcommand)]
    Version(tools_cmd::VersionCmd),
}

/// What a command needs from the outside world.
/// The clock, read at the store's precision (microseconds), so that a record as printed equals
/// the record as stored.
pub fn clock() -> Timestamp {
    Timestamp::from_microsecond(Timestamp::now().as_microsecond())
        .expect("the clock reads a representable instant")
}

pub struct Ctx {
    pub out: Output,
    pub progress: ProgressMode,
    pub now: Timestamp,
    db: String,
    pub as_person: Option<String>,
}

impl Ctx {
    pub async fn store(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.db, OpenMode::Existing).await?)
    }

    /// The store and the acting person, for commands that write.
    pub async fn store_as(&self) -> anyhow::Result<(Store, vigilo_store::registry::Actor)> {
        let Some(id) = &self.as_person else {
            return Err(vigilo_registry::Invalid::new(
                "--as",
                "this command writes: name the acting person with --as PERSON or VIGILO_AS",
            )
            .into());
        };
        let store = self.store().await?;
        let actor = store.actor(id).await?;
        Ok((store, actor))
    }

    /// The store named by --db, for messages.
    pub fn db_location(&self) -> &str {
        &self.db
    }

    /// The manufacturer's time zone: it decides calendar dates and how instants are shown.
    pub async fn zone(&self, store: &Store) -> anyhow::Result<jiff::tz::TimeZone> {
        Ok(store.zone().await?)
    }

    /// Today in the manufacturer's time zone.
    pub async fn today(&self, store: &Store) -> anyhow::Result<jiff::civil::Date> {
        Ok(self.now.to_zoned(self.zone(store).await?).date())
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx {
        out: Output { json: cli.json },
        progress: cli.progress,
        now: clock(),
        db: cli.db,
        as_person: cli.as_person,
    };
    match cli.command {
        Command::Init(a) => registry_cmd::init(&ctx, a).await,
        Command::Org(c) => registry_cmd::org(&ctx, c).await,
        Command::Person(c) => registry_cmd::person(&ctx, c).await,
        Command::Product(c) => registry_cmd::product(&ctx, c).await,
        Command::EventType(c) => registry_cmd::event_type(&ctx, c).await,
        Command::Software(c) => registry_cmd::software(&ctx, c).await,
        Command::Device(c) => registry_cmd::device(&ctx, c).await,
        Command::Procedure(c) => registry_cmd::procedure(&ctx, c).await,
        Command::Training(c) => registry_cmd::training(&ctx, c).await,
        Command::Lot(c) => registry_cmd::lot(&ctx, c).await,
        Command::Udi(c) => registry_cmd::udi(&ctx, c),
        Command::Ticket(c) => service_cmd::ticket(&ctx, c).await,
        Command::Intake(c) => service_cmd::intake(&ctx, c).await,
        Command::Service(c) => service_cmd::service(&ctx, c).await,
        Command::Vigilance(c) => vigilance_cmd::vigilance(&ctx, c).await,
        Command::Holidays(c) => vigilance_cmd::holidays(&ctx, c).await,
        Command::Fsca(c) => vigilance_cmd::fsca(&ctx, c).await,
        Command::Sbom(c) => sbom_cmd::sbom(&ctx, c).await,
        Command::Advisories(c) => findings_cmd::advisories(&ctx, c).await,
        Command::Findings(c) => findings_cmd::findings(&ctx, c).await,
        Command::Source(c) => sources_cmd::source(&ctx, c).await,
        Command::Intel(c) => sources_cmd::intel(&ctx, c).await,
        Command::Security(c) => security_cmd::security(&ctx, c).await,
        Command::Vex(c) => security_cmd::vex(&ctx, c).await,
        Command::Trends(c) => review_cmd::trends(&ctx, c).await,
        Command::Review(c) => review_cmd::review(&ctx, c).await,
        Command::Trace(c) => service_cmd::trace(&ctx, c).await,
        Command::Maintenance(c) => service_cmd::maintenance(&ctx, c).await,
        Command::Config(c) => service_cmd::config(&ctx, c).await,
        Command::Audit(c) => audit_cmd::run(&ctx, c).await,
        Command::Token(c) => web_cmd::token(&ctx, c).await,
        Command::Serve(a) => web_cmd::run_serve(&ctx, a).await,
        Command::Demo(a) => demo::run(&ctx, a).await,
        Command::Cvss { vector } => tools_cmd::cvss(&ctx, &vector),
        Command::Purl { purl } => tools_cmd::purl(&ctx, &purl),
        Command::Scan(a) => scan_cmd::run(&ctx, a),
        Command::Version(c) => tools_cmd::version(&ctx, c),
    }
}

/// Exit status per SPEC §5 from the error's kind.
fn exit_code(e: &anyhow::Error) -> u8 {
    if let Some(e) = e.downcast_ref::<vigilo_store::Error>() {
        return e.exit_code() as u8;
    }
    if e.is::<vigilo_registry::Invalid>() {
        return 2;
    }
    if e.is::<vigilo_registry::Refusal>() {
        return 1;
    }
    if let Some(code) = e.downcast_ref::<audit_cmd::Tampered>() {
        return code.exit_code();
    }
    // The synced sources are on record; the failed ones are refused by the rule that every
    // source must arrive.
    if e.is::<sources_cmd::SyncFailed>() {
        return 1;
    }
    3
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vigilo: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}
