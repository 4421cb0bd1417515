//! Roles (SPEC §1) and which role may perform which write.

use crate::country::Country;
use crate::input::Invalid;
use crate::model::{OrgKind, QualityAgreement};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Triager,
    Technician,
    Vigilance,
    Pms,
    Security,
    Quality,
    Auditor,
}

const ROLE_NAMES: [(&str, Role); 8] = [
    ("admin", Role::Admin),
    ("triager", Role::Triager),
    ("technician", Role::Technician),
    ("vigilance", Role::Vigilance),
    ("pms", Role::Pms),
    ("security", Role::Security),
    ("quality", Role::Quality),
    ("auditor", Role::Auditor),
];

impl Role {
    pub fn parse(field: &str, value: &str) -> Result<Role, Invalid> {
        crate::input::choice(field, value.trim(), &ROLE_NAMES)
    }

    pub fn as_str(&self) -> &'static str {
        ROLE_NAMES
            .iter()
            .find(|(_, r)| r == self)
            .map(|(n, _)| *n)
            .expect("every role is named")
    }

    /// Roles a person of an external service partner may hold: partners do service work and
    /// report it, they do not run the manufacturer's quality system.
    pub fn allowed_for_partner(&self) -> bool {
        matches!(self, Role::Technician | Role::Triager)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person's roles, sorted and without duplicates.
pub type Roles = Vec<Role>;

/// The writes Vigilo attributes and authorises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AddOrganisation,
    AddAgreement,
    AddPerson,
    AddProduct,
    AddEventType,
    AddSoftwareVersion,
    AddDevice,
    ChangeDevice,
    AddProcedure,
    ApproveProcedure,
    AddTraining,
    AddLot,
    SetLotStatus,
    SetPassword,
    IssueToken,
    ChangeSettings,
    OpenTicket,
    TriageTicket,
    RecordComplaint,
    CloseTicket,
    FlagSerious,
    RecordService,
    CodeTicket,
    AcknowledgeCase,
    DecideCase,
    RecordSubmission,
    RecordCaseDetails,
    ManageHolidays,
    OpenFsca,
    RecordFscaAcknowledgement,
    RecordReview,
    ImportSbom,
    ImportAdvisories,
    ManageSources,
    ReviewSource,
    ImportIntel,
    RecordSignal,
    TriageSignal,
}

impl Action {
    pub fn describe(&self) -> &'static str {
        match self {
            Action::AddOrganisation => "add an organisation",
            Action::AddAgreement => "add a quality agreement",
            Action::AddPerson => "add a person",
            Action::AddProduct => "add a product",
            Action::AddEventType => "add a service event type",
            Action::AddSoftwareVersion => "add a software version",
            Action::AddDevice => "add a device",
            Action::ChangeDevice => "change a device's software or status",
            Action::AddProcedure => "add a procedure version",
            Action::ApproveProcedure => "make a procedure version effective",
            Action::AddTraining => "record training",
            Action::AddLot => "receive a part lot",
            Action::SetLotStatus => "release, quarantine or recall a part lot",
            Action::SetPassword => "set another person's password",
            Action::IssueToken => "issue an API token",
            Action::ChangeSettings => "change an organisation setting",
            Action::OpenTicket => "open a ticket",
            Action::TriageTicket => "triage a ticket",
            Action::RecordComplaint => "record a complaint's investigation and decisions",
            Action::CloseTicket => "close a ticket",
            Action::FlagSerious => "flag a suspected serious incident",
            Action::RecordService => "record a service event",
            Action::CodeTicket => "give a ticket IMDRF codes",
            Action::AcknowledgeCase => "acknowledge a vigilance case",
            Action::DecideCase => "decide a vigilance case's reportability",
            Action::RecordSubmission => "record a vigilance report's submission",
            Action::RecordCaseDetails => "record a vigilance case's incident details",
            Action::ManageHolidays => "maintain the public-holiday calendars",
            Action::OpenFsca => "open a field safety corrective action",
            Action::RecordFscaAcknowledgement => "record a customer's FSCA acknowledgement",
            Action::RecordReview => "record the monthly PMS review",
            Action::ImportSbom => "import a software version's SBOM",
            Action::ImportAdvisories => "import OSV advisories and re-match findings",
            Action::ManageSources => "register an advisory source",
            Action::ReviewSource => "record an advisory source's review",
            Action::ImportIntel => "import the CISA KEV catalog or EPSS scores",
            Action::RecordSignal => "enter a vendor advisory or threat-intelligence note",
            Action::TriageSignal => "triage a security finding or signal",
        }
    }

    /// Roles that may perform the action. Admins administer accounts and the registry; the
    /// quality manager owns the controlled documents, training and stock status (ISO 13485
    /// 4.2.4, 6.2, 7.5.8); PMS and security keep the fleet and its software current.
    pub fn allowed_roles(&self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::AddOrganisation
            | Action::AddAgreement
            | Action::AddPerson
            | Action::SetPassword
            | Action::IssueToken => &[Admin],
            Action::AddProduct | Action::AddEventType => &[Admin, Quality],
            Action::AddProcedure | Action::ApproveProcedure | Action::AddTraining => {
                &[Admin, Quality]
            }
            Action::AddLot | Action::SetLotStatus => &[Admin, Quality],
            Action::AddSoftwareVersion => &[Admin, Quality, Security],
            Action::AddDevice => &[Admin, Quality, Pms],
            Action::ChangeDevice => &[Admin, Quality, Pms, Technician],
            Action::ChangeSettings => &[Admin, Quality],
            // Every staff role takes calls and mails; auditors only read.
            Action::OpenTicket | Action::FlagSerious => &[
                Admin, Triager, Technician, Vigilance, Pms, Security, Quality,
            ],
            Action::TriageTicket | Action::CloseTicket => &[Admin, Triager, Quality, Vigilance],
            // ISO 13485 8.2.2: complaint handling is the quality system's, with vigilance for
            // the reportability decision.
            Action::RecordComplaint => &[Admin, Quality, Vigilance],
            // Office staff may enter a paper service report; the technician named in it must
            // still be authorised (vigilo-service::authorisation).
            Action::RecordService => &[Admin, Quality, Technician],
            Action::CodeTicket => &[Triager, Quality, Vigilance, Pms],
            // The 24-hour escalation ends when a vigilance officer has the case; the
            // reportability decision and the reports are theirs (MDR Art. 15 PRRC).
            Action::AcknowledgeCase | Action::DecideCase | Action::RecordSubmission => &[Vigilance],
            Action::RecordCaseDetails => &[Vigilance, Quality],
            Action::ManageHolidays => &[Admin, Vigilance, Quality],
            Action::OpenFsca => &[Vigilance, Quality],
            Action::RecordFscaAcknowledgement => &[Vigilance, Quality, Triager],
            Action::RecordReview => &[Pms, Quality],
            // The SBOM is a release record (IEC 62304 §8.1.2) that security monitors.
            Action::ImportSbom => &[Admin, Security, Quality],
            // Findings follow from advisories and SBOMs; re-matching them is security's work.
            Action::ImportAdvisories => &[Admin, Security],
            // EN IEC 81001-5-1 §9.2: security monitors the sources and keeps them current.
            Action::ManageSources | Action::ImportIntel => &[Admin, Security],
            // The review is a security engineer's judgement of the feed, not an administrative act.
            Action::ReviewSource => &[Security],
            // A vendor bulletin may reach anyone who keeps the product current.
            Action::RecordSignal => &[Security, Quality, Pms],
            // EN IEC 81001-5-1 §9.3: the security risk assessment is security's, with quality
            // for the software problem reports it opens.
            Action::TriageSignal => &[Security, Quality],
        }
    }
}

/// A write refused by a rule (exit status 1): the rule and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused: {rule}: {missing}")]
pub struct Refusal {
    pub rule: String,
    pub missing: String,
}

impl Refusal {
    pub fn new(rule: impl Into<String>, missing: impl Into<String>) -> Self {
        Self {
            rule: rule.into(),
            missing: missing.into(),
        }
    }
}

/// Least privilege (SPEC §4): the acting person needs one of the action's roles.
pub fn authorise(person: &str, roles: &[Role], action: Action) -> Result<(), Refusal> {
    let allowed = action.allowed_roles();
    if roles.iter().any(|r| allowed.contains(r)) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(Role::as_str).collect();
    let held: Vec<&str> = roles.iter().map(Role::as_str).collect();
    Err(Refusal::new(
        format!("only {} may {}", names.join(" or "), action.describe()),
        format!(
            "{person} holds {}",
            if held.is_empty() {
                "no role".to_owned()
            } else {
                format!("only {}", held.join(", "))
            }
        ),
    ))
}

/// Which devices a person may see and work on (SPEC §1, §4: least privilege).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeviceScope {
    /// The manufacturer's and its affiliates' people.
    All,
    /// A service partner's people: the countries its quality agreements valid today cover.
    Countries(Vec<Country>),
}

impl DeviceScope {
    pub fn of(kind: OrgKind, agreements: &[QualityAgreement], today: Date) -> DeviceScope {
        if kind != OrgKind::Partner {
            return DeviceScope::All;
        }
        let mut countries: Vec<Country> = agreements
            .iter()
            .filter(|a| a.valid_from <= today && today <= a.valid_to)
            .flat_map(|a| a.countries.iter().copied())
            .collect();
        countries.sort();
        countries.dedup();
        DeviceScope::Countries(countries)
    }

    pub fn allows(&self, country: Country) -> bool {
        match self {
            DeviceScope::All => true,
            DeviceScope::Countries(cs) => cs.contains(&country),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_name_the_options() {
        assert_eq!(Role::parse("--role", "pms").unwrap(), Role::Pms);
        let e = Role::parse("--role", "boss").unwrap_err();
        assert!(e.problem.contains("admin, triager, technician"), "{e}");
    }

    #[test]
    fn auditors_never_write() {
        for action in [
            Action::AddOrganisation,
            Action::AddAgreement,
            Action::AddPerson,
            Action::AddProduct,
            Action::AddEventType,
            Action::AddSoftwareVersion,
            Action::AddDevice,
            Action::ChangeDevice,
            Action::AddProcedure,
            Action::ApproveProcedure,
            Action::AddTraining,
            Action::AddLot,
            Action::SetLotStatus,
            Action::SetPassword,
            Action::IssueToken,
            Action::ChangeSettings,
            Action::OpenTicket,
            Action::TriageTicket,
            Action::RecordComplaint,
            Action::CloseTicket,
            Action::FlagSerious,
            Action::RecordService,
            Action::ImportSbom,
            Action::ImportAdvisories,
            Action::ManageSources,
            Action::ReviewSource,
            Action::ImportIntel,
            Action::RecordSignal,
            Action::TriageSignal,
        ] {
            assert!(authorise("a", &[Role::Auditor], action).is_err());
            assert!(!action.allowed_roles().contains(&Role::Auditor));
        }
    }

    #[test]
    fn partners_see_the_countries_of_their_valid_agreements() {
        use jiff::civil::date;
        let cc = |c: &str| Country::parse("c", c).unwrap();
        let agreement = |from, to, countries: &[&str]| QualityAgreement {
            id: 1,
            org: "p".into(),
            reference: "QA".into(),
            valid_from: from,
            valid_to: to,
            countries: countries.iter().map(|c| cc(c)).collect(),
        };
        let agreements = [
            agreement(date(2024, 1, 1), date(2025, 12, 31), &["AT", "IT"]),
            agreement(date(2026, 1, 1), date(2027, 12, 31), &["AT", "CH"]),
        ];
        let scope = DeviceScope::of(OrgKind::Partner, &agreements, date(2026, 6, 1));
        assert_eq!(scope, DeviceScope::Countries(vec![cc("AT"), cc("CH")]));
        assert!(
            !scope.allows(cc("IT")),
            "the expired agreement no longer counts"
        );
        assert_eq!(
            DeviceScope::of(OrgKind::Partner, &agreements, date(2028, 1, 1)),
            DeviceScope::Countries(vec![])
        );
        assert_eq!(
            DeviceScope::of(OrgKind::Manufacturer, &[], date(2028, 1, 1)),
            DeviceScope::All
        );
    }

    #[test]
    fn refusal_names_rule_and_what_is_missing() {
        let r = authorise("tom", &[Role::Technician], Action::AddLot).unwrap_err();
        assert_eq!(
            r.to_string(),
            "refused: only admin or quality may receive a part lot: tom holds only technician"
        );
        assert!(authorise("q", &[Role::Auditor, Role::Quality], Action::AddLot).is_ok());
    }
}
