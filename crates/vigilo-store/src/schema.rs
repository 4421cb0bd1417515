//! The catalogue of record tables. Writes, reads and verification are generic over it, so a
//! record's stored row, its audit content and its exported JSON cannot drift apart.

use crate::advisories;
use crate::sbom;
use crate::{intel, sources};
use serde::Serialize;
use serde::de::DeserializeOwned;
use vigilo_registry as reg;
use vigilo_security as sec;
use vigilo_service as svc;
use vigilo_vigilance as vig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    /// Any JSON value, stored as canonical JSON text.
    Json,
    /// An RFC 3339 instant in the record, BIGINT microseconds in the table (sortable, exact).
    Instant,
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

/// A record table. The first column is the primary key `id`.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
}

impl Table {
    pub fn id_kind(&self) -> Kind {
        self.columns[0].kind
    }

    pub(crate) fn column_list(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        names.join(", ")
    }
}

/// A record type stored in a [`Table`]; its serde field names are the column names.
pub trait Stored: Serialize + DeserializeOwned + Send + Unpin {
    const TABLE: &'static Table;
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
    }
}
const fn int(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Integer,
    }
}
const fn json(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Json,
    }
}
const fn instant(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Instant,
    }
}

macro_rules! tables {
    ($($konst:ident: $ty:ty = $name:literal [$($col:expr),+ $(,)?];)+) => {
        $(
            pub static $konst: Table = Table { name: $name, columns: &[$($col),+] };
            impl Stored for $ty {
                const TABLE: &'static Table = &$konst;
            }
        )+
        /// Every record table, in dependency order.
        pub static ALL_TABLES: &[&Table] = &[$(&$konst),+];
    };
}

tables! {
    ORGANISATIONS: reg::Organisation = "organisations"
        [text("id"), text("name"), text("kind"), text("timezone")];
    QUALITY_AGREEMENTS: reg::QualityAgreement = "quality_agreements"
        [int("id"), text("org"), text("reference"), text("valid_from"), text("valid_to"), json("countries")];
    PERSONS: reg::Person = "persons"
        [text("id"), text("name"), text("org"), json("roles")];
    EVENT_TYPES: reg::EventType = "event_types"
        [text("id"), text("name")];
    PRODUCTS: reg::Product = "products"
        [text("id"), text("name"), text("eu_class"), text("fda_class"), text("udi_di"),
         text("basic_udi_di"), json("markets"), json("schedule")];
    SOFTWARE_VERSIONS: reg::SoftwareVersion = "software_versions"
        [int("id"), text("product"), text("version"), text("released_on")];
    DEVICES: reg::Device = "devices"
        [int("id"), text("product"), text("serial"), text("country"), text("customer"),
         text("status"), text("lot"), text("manufactured_on"), text("expires_on")];
    DEVICE_SOFTWARE: reg::DeviceSoftware = "device_software"
        [int("id"), int("device"), text("version"), instant("installed_at")];
    PROCEDURES: reg::ProcedureVersion = "procedures"
        [int("id"), text("procedure_id"), text("version"), text("title"), json("governs"),
         text("effective_on")];
    TRAININGS: reg::TrainingRecord = "trainings"
        [int("id"), text("person"), text("procedure_id"), text("procedure_version"),
         text("trained_on"), text("trainer"), text("check_kind"), text("result")];
    PART_LOTS: reg::PartLot = "part_lots"
        [int("id"), text("part"), text("lot"), int("quantity"), text("location"), text("status")];
    CREDENTIALS: reg::Credential = "credentials"
        [text("id"), text("password_hash"), instant("changed_at")];
    API_TOKENS: reg::ApiToken = "api_tokens"
        [int("id"), text("person"), text("label"), text("token_hash"), instant("created_at"),
         text("expires_on"), instant("revoked_at")];
    SETTINGS: svc::Setting = "settings"
        [text("id"), text("value")];
    TICKETS: svc::Ticket = "tickets"
        [int("id"), text("channel"), instant("received_at"), text("reporter"), int("device"),
         text("device_hint"), text("summary"), text("description"), json("attachments"),
         text("source_ref"), text("opened_by"), instant("triage_due"), text("classification"),
         text("triage_reason"), text("triaged_by"), instant("triaged_at"), text("closed_by"),
         instant("closed_at")];
    COMPLAINTS: svc::Complaint = "complaints"
        [int("id"), text("investigation"), text("reportability"), text("reportability_rationale"),
         text("correction"), text("correction_rationale"), text("capa_ref")];
    VIGILANCE_CASES: svc::VigilanceCase = "vigilance_cases"
        [int("id"), int("ticket"), int("device"), instant("aware_at"), text("flagged_by"),
         instant("flagged_at")];
    SERVICE_EVENTS: svc::ServiceEvent = "service_events"
        [int("id"), int("device"), text("event_type"), text("technician"), instant("performed_at"),
         text("procedure_id"), text("procedure_version"), text("outcome"), int("ticket"),
         text("software_before"), text("software_after"), text("findings"), text("source_ref")];
    SERVICE_PARTS: svc::ServicePart = "service_parts"
        [int("id"), int("event"), text("part"), text("lot"), int("lot_id"), int("quantity")];
    HOLIDAYS: vig::HolidayRecord = "holidays"
        [int("id"), text("country"), text("date"), text("name"), text("source")];
    VIGILANCE_ACKNOWLEDGEMENTS: vig::Acknowledgement = "vigilance_acknowledgements"
        [int("id"), int("case_id"), text("person"), instant("at")];
    VIGILANCE_DECISIONS: vig::Decision = "vigilance_decisions"
        [int("id"), int("case_id"), text("category"), text("rationale"), instant("clock_from"),
         text("decided_by"), instant("decided_at")];
    VIGILANCE_SUBMISSIONS: vig::Submission = "vigilance_submissions"
        [int("id"), int("case_id"), text("market"), text("kind"), instant("submitted_at"),
         text("reference"), text("recorded_by"), instant("recorded_at")];
    VIGILANCE_DETAILS: vig::CaseDetails = "vigilance_details"
        [int("id"), text("details"), text("updated_by"), instant("updated_at")];
    TICKET_CODES: vig::TicketCode = "ticket_codes"
        [int("id"), int("ticket"), text("annex"), text("code"), text("coded_by"), instant("coded_at")];
    FSCAS: vig::Fsca = "fscas"
        [text("id"), text("title"), text("product"), json("versions"), json("lots"), json("serials"),
         json("countries"), text("reason"), text("notice"), int("case_id"), text("opened_by"),
         instant("opened_at")];
    FSCA_DEVICES: vig::FscaDevice = "fsca_devices"
        [int("id"), text("fsca"), int("device"), text("serial"), text("country"), text("customer"),
         text("software")];
    FSCA_ACKNOWLEDGEMENTS: vig::FscaAcknowledgement = "fsca_acknowledgements"
        [int("id"), text("fsca"), text("customer"), instant("acknowledged_at"), text("recorded_by"),
         instant("recorded_at")];
    PMS_REVIEWS: vig::Review = "pms_reviews"
        [text("id"), text("signals"), text("decision"), text("notes"), text("reviewer"),
         instant("reviewed_at")];
    SBOMS: sbom::Sbom = "sboms"
        [int("id"), text("product"), text("version"), text("format"), text("spec_version"),
         text("serial_number"), text("sha256"), text("file_name"), int("component_count"),
         json("warnings"), int("superseded_by"), text("imported_by"), instant("imported_at")];
    SBOM_COMPONENTS: sbom::SbomComponent = "sbom_components"
        [int("id"), int("sbom"), text("name"), text("version"), text("purl"), text("cpe"),
         text("ecosystem"), json("matchable")];
    ADVISORIES: advisories::Advisory = "advisories"
        [text("id"), instant("modified"), instant("published"), instant("withdrawn"),
         json("aliases"), text("summary"), json("severity"), text("document"), text("source"),
         text("imported_by"), instant("imported_at")];
    FINDINGS: advisories::Finding = "findings"
        [int("id"), text("advisory"), int("sbom"), int("component"), text("product"),
         text("version"), text("purl"), json("fixed"), text("state"), instant("found_at"),
         instant("retracted_at")];
    ADVISORY_SOURCES: sources::AdvisorySource = "advisory_sources"
        [text("id"), text("name"), text("kind"), text("url"), text("owner"), text("backup"),
         int("cadence_days"), text("created_by"), instant("created_at")];
    SOURCE_REVIEWS: sources::SourceReview = "source_reviews"
        [int("id"), text("source"), instant("reviewed_at"), text("outcome"), text("note"),
         text("reviewed_by"), instant("recorded_at")];
    SOURCE_SYNCS: sources::SourceSync = "source_syncs"
        [int("id"), text("source"), text("url"), instant("started_at"), instant("finished_at"),
         int("http_status"), int("bytes"), int("added"), int("updated"), int("unchanged"),
         text("error"), text("synced_by")];
    INTEL_CATALOGS: intel::IntelCatalog = "intel_catalogs"
        [int("id"), text("kind"), text("version"), text("model"), instant("released_at"),
         text("sha256"), int("entries"), int("added"), int("updated"), int("unchanged"),
         int("removed"), text("source"), text("imported_by"), instant("imported_at")];
    KEV_ENTRIES: intel::KevRecord = "kev_entries"
        [text("id"), text("vendor"), text("product"), text("name"), text("date_added"),
         text("due_date"), json("known_ransomware"), text("removed_in")];
    EPSS_SCORES: intel::EpssRecord = "epss_scores"
        [text("id"), text("score"), text("percentile"), text("removed_in")];
    SECURITY_SIGNALS: sec::Signal = "security_signals"
        [int("id"), text("kind"), text("title"), text("body"), text("reference"), json("cves"),
         json("cvss"), text("product"), json("versions"), instant("received_at"), int("drill"),
         text("recorded_by"), instant("recorded_at")];
    PROBLEM_REPORTS: sec::ProblemReport = "problem_reports"
        [int("id"), text("title"), text("origin"), text("product"), text("version"), text("rating"),
         json("critical"), text("description"), text("opened_by"), instant("opened_at")];
    SECURITY_TRIAGE: sec::TriageRecord = "security_triage"
        [int("id"), int("finding"), int("signal"), text("outcome"), text("rating"), text("score"),
         text("vector"), text("exploitability"), text("reachability"), text("harm"),
         text("recommended"), text("rationale"), text("justification"), text("action"),
         text("remediation"),
         int("problem_report"), int("vigilance_ticket"), text("decided_by"), instant("decided_at")];
    SECURITY_DRILLS: sec::Drill = "security_drills"
        [int("id"), text("advisory"), json("aliases"), json("reach"), json("steps"),
         text("started_by"), instant("started_at"), instant("finished_at"), json("trainings")];
}
