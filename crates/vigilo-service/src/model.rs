//! The service records as they are stored and exported. Field names are the stored names.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use vigilo_registry::word_enum;

word_enum!(
    /// Where a contact came in (SPEC §2 Ticket); `security` is the security intake queue, whose
    /// triage sends potential serious incidents to vigilance through a ticket.
    Channel {
        Email = "email",
        Phone = "phone",
        Portal = "portal",
        Partner = "partner",
        Field = "field",
        Security = "security"
    }
);
impl Channel {
    /// The channels a person can bring a contact in by: every one but `security`, whose tickets
    /// only the security triage opens.
    pub const CONTACT: [Channel; 5] = [
        Channel::Email,
        Channel::Phone,
        Channel::Portal,
        Channel::Partner,
        Channel::Field,
    ];

    pub fn contact_words() -> Vec<&'static str> {
        Channel::CONTACT.iter().map(Channel::as_str).collect()
    }

    /// A contact channel; `security` is refused like any unknown word.
    pub fn parse_contact(field: &str, value: &str) -> Result<Channel, vigilo_registry::Invalid> {
        let contact: Vec<(&str, Channel)> = Channel::CONTACT.map(|c| (c.as_str(), c)).to_vec();
        vigilo_registry::input::choice(field, value.trim(), &contact)
    }
}

word_enum!(
    /// Triage class (ISO 13485 8.2.2): only complaints get the complaint record.
    TicketClass { Complaint = "complaint", Service = "service", Information = "information" }
);
word_enum!(ServiceOutcome { Pass = "pass", Fail = "fail", Incomplete = "incomplete" });
word_enum!(
    /// Whether a complaint must be reported to an authority (ISO 13485 8.2.3).
    Reportability { Reportable = "reportable", NotReportable = "not-reportable" }
);
word_enum!(
    /// What a complaint leads to (ISO 13485 8.2.2 e, 8.5.2).
    Correction { None = "none", Correction = "correction", Capa = "capa" }
);

/// A file that came with a contact (an e-mail attachment). The record names the content by its
/// hash; the store keeps the bytes under that hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the content, lower-case hex. Absent on tickets recorded before Vigilo kept
    /// attachment contents (their records stay as they were chained).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Every inbound contact. `device` is `None` when the serial or UDI given matched no device:
/// the ticket is kept, flagged "device unidentified", with what was given in `device_hint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: i64,
    pub channel: Channel,
    pub received_at: Timestamp,
    pub reporter: Option<String>,
    pub device: Option<i64>,
    pub device_hint: Option<String>,
    pub summary: String,
    pub description: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Where the contact came from, unique: `mail:<Message-ID>`, `csv:<legacy ticket number>`.
    /// Importing the same message or row twice finds it here and changes nothing.
    pub source_ref: Option<String>,
    pub opened_by: String,
    pub triage_due: Timestamp,
    pub classification: Option<TicketClass>,
    pub triage_reason: Option<String>,
    pub triaged_by: Option<String>,
    pub triaged_at: Option<Timestamp>,
    pub closed_by: Option<String>,
    pub closed_at: Option<Timestamp>,
}

impl Ticket {
    pub fn device_unidentified(&self) -> bool {
        self.device.is_none()
    }
}

/// The ISO 13485 8.2.2 complaint record of a ticket classified as a complaint; `id` is the
/// ticket's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaint {
    pub id: i64,
    pub investigation: Option<String>,
    pub reportability: Option<Reportability>,
    pub reportability_rationale: Option<String>,
    pub correction: Option<Correction>,
    pub correction_rationale: Option<String>,
    /// The CAPA's reference in the quality system, when the decision is `capa`.
    pub capa_ref: Option<String>,
}

impl Complaint {
    /// The record a ticket gets when it is triaged as a complaint: nothing decided yet.
    pub fn open(ticket: i64) -> Complaint {
        Complaint {
            id: ticket,
            investigation: None,
            reportability: None,
            reportability_rationale: None,
            correction: None,
            correction_rationale: None,
            capa_ref: None,
        }
    }
}

/// A suspected serious incident flagged on a ticket (SPEC §3.1): the awareness instant starts
/// the vigilance clocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VigilanceCase {
    pub id: i64,
    pub ticket: i64,
    pub device: Option<i64>,
    pub aware_at: Timestamp,
    pub flagged_by: String,
    pub flagged_at: Timestamp,
}

/// A service event (ISO 13485 7.5.4), with the procedure version the technician was competent
/// on at that instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceEvent {
    pub id: i64,
    pub device: i64,
    pub event_type: String,
    pub technician: String,
    pub performed_at: Timestamp,
    pub procedure_id: String,
    pub procedure_version: String,
    pub outcome: ServiceOutcome,
    pub ticket: Option<i64>,
    pub software_before: Option<String>,
    pub software_after: Option<String>,
    pub findings: Option<String>,
    /// The event's reference in a bulk file; re-importing it changes nothing.
    pub source_ref: Option<String>,
}

/// A part consumed by a service event: part number and lot against the device, in the same
/// transaction as the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServicePart {
    pub id: i64,
    pub event: i64,
    pub part: String,
    pub lot: String,
    pub lot_id: i64,
    pub quantity: i64,
}

/// An organisation-wide setting, e.g. `triage_hours`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Setting {
    pub id: String,
    pub value: String,
}
