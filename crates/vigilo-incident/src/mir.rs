//! The EU Manufacturer Incident Report (MIR) for serious incidents (MDR/IVDR), form version
//! 7.3.1, as a draft the vigilance officer fills in while the investigation runs.
//!
//! The fields follow the form's content: section 1 administrative information (responsible
//! competent authority 1.1 a–d; dates, type and classification of the report 1.2 a–g; submitter
//! 1.3.1 a–c; manufacturer and authorised representative), section 2 medical device
//! information, section 3 incident information with the patient and the IMDRF Annex A, E, F
//! codes, section 4 the manufacturer's analysis with the Annex B, C, D codes, section 5
//! comments. Sources for the field list: a mapping of the MIR 7.3.1 form items published by a
//! safety-database vendor (Veeva Vault Safety, "EU MIR Generation Data Mapping"), a copy of
//! the 7.3.1 reporting template (section 1 wording), a regulatory consultancy's summary of
//! sections 2–5 (which IMDRF annex goes where), and Oracle Argus Safety's MIR best practices
//! (classification ↔ Annex F codes F02, F20, F21). The Commission's helptext and XSD were not
//! available.
//!
//! # XML vocabulary
//!
//! [`MirDraft::to_xml`] writes a **draft structure of Vigilo's own, not the European
//! Commission's MIR XSD**: it follows the form's sections so that a person or a converter can
//! read it, and it must be transcribed or converted before submission.
//!
//! - Root `<mir version="7.3.1" xmlns="urn:vigilo:mir-draft:1">`, then one element per part
//!   in this order: `admin`, `manufacturer`, `device`, `incident`, `patient`, `investigation`,
//!   `comments`.
//! - Inside a part, one element per field, named exactly like the JSON field, in the order of
//!   the Rust struct. A field not yet known (`None`) or an empty list is left out.
//! - Lists are wrapped: `<device_problem_codes><code>A1005</code>…</device_problem_codes>`;
//!   `market_distribution` and `related_references` hold `<country>` and `<reference>`.
//! - Addresses: `<address><line>…</line><city/><postal_code/><region/><country/></address>`;
//!   contacts: `<contact><name/><phone/><email/></contact>`; an age:
//!   `<age><value>54</value><unit>years</unit></age>`.
//! - Coded values carry their code (`initial`, `IIa`, `female`), dates are `YYYY-MM-DD`.
//! - Text is escaped by quick-xml; C0 control characters, which XML 1.0 cannot carry, become
//!   U+FFFD.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::common::{Missing, Problems};
use crate::imdrf::{Annex, CodeTable};
use crate::xml::XmlOut;
use crate::{Address, Age, Contact, DraftProblem, Sex};

/// The MIR form version the draft follows.
pub const MIR_FORM_VERSION: &str = "7.3.1";

/// The namespace of the draft XML vocabulary (see the module documentation).
pub const MIR_DRAFT_NAMESPACE: &str = "urn:vigilo:mir-draft:1";

/// Opens the XML, for whoever reads the file without this documentation.
const DRAFT_NOTICE: &str = " DRAFT: Vigilo's MIR draft vocabulary following the MIR 7.3.1 form's \
                            sections; not the European Commission's MIR XSD ";

/// A MIR draft. Every field the officer may not know yet is an `Option` or a list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MirDraft {
    pub admin: MirAdmin,
    pub manufacturer: MirManufacturer,
    pub device: MirDevice,
    pub incident: MirIncident,
    pub patient: MirPatient,
    pub investigation: MirInvestigation,
    /// Section 5: general comments.
    pub comments: Option<String>,
}

/// Form section 1.1–1.3.1: recipient, dates, type and classification of the report, submitter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirAdmin {
    /// 1.1 a: the national competent authority of the country where the incident occurred.
    pub recipient_nca: Option<String>,
    /// ISO 3166-1 alpha-2 code of that authority's country.
    pub recipient_country: Option<String>,
    /// 1.1 c: the NCA's reference for this incident (known from the first follow-up on).
    pub nca_reference: Option<String>,
    /// 1.1 d: EUDAMED's reference for this incident.
    pub eudamed_reference: Option<String>,
    /// 1.2 a: date of this report's submission.
    pub report_date: Option<Date>,
    /// 1.2 c: the day the manufacturer became aware of the incident.
    pub manufacturer_awareness_date: Option<Date>,
    /// 1.2 d: the day the manufacturer became aware that the incident is reportable; the
    /// reporting deadline (2, 10 or 15 days) runs from it.
    pub reportability_awareness_date: Option<Date>,
    /// 1.2 e.
    pub type_of_report: Option<MirReportType>,
    /// 1.2 g.
    pub incident_classification: Option<IncidentClass>,
    /// 1.3.1 a.
    pub submitter_role: Option<SubmitterRole>,
    /// 1.3.1 a, when the submitter is neither manufacturer nor authorised representative.
    pub submitter_role_other: Option<String>,
    /// 1.3.1 b: the manufacturer's reference number for this incident.
    pub manufacturer_reference: Option<String>,
    /// 1.3.1 c: references of the other MIRs for further devices of the same manufacturer
    /// involved in this incident.
    pub related_references: Vec<String>,
}

/// Form section 1.3: the manufacturer and, if any, its authorised representative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirManufacturer {
    pub name: Option<String>,
    /// Single registration number from EUDAMED actor registration, e.g. `DE-MF-000012345`.
    pub srn: Option<String>,
    pub address: Address,
    pub contact: Contact,
    pub authorised_representative: Option<MirParty>,
}

/// An economic operator other than the manufacturer (the authorised representative).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirParty {
    pub name: Option<String>,
    pub srn: Option<String>,
    pub address: Address,
    pub contact: Contact,
}

/// Form section 2: the device involved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirDevice {
    pub basic_udi_di: Option<String>,
    pub udi_di: Option<String>,
    /// UDI-PI parts: serial number, lot/batch number, software version.
    pub serial_number: Option<String>,
    pub lot_number: Option<String>,
    pub software_version: Option<String>,
    pub risk_class: Option<RiskClass>,
    /// Device name or trade name as on the label.
    pub trade_name: Option<String>,
    pub model: Option<String>,
    pub catalogue_number: Option<String>,
    /// European Medical Device Nomenclature (EMDN) code, e.g. `Z12040102`.
    pub nomenclature_code: Option<String>,
    /// Four-digit identification number of the notified body that certified the device.
    pub notified_body_number: Option<String>,
    /// ISO 3166-1 alpha-2 codes of the countries where the device is on the market.
    pub market_distribution: Vec<String>,
}

/// Form section 3: the incident.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MirIncident {
    /// 1.2 b on the form.
    pub incident_date: Option<Date>,
    /// The incident narrative as reported, with what is known of the sequence of events.
    pub description: Option<String>,
    /// IMDRF Annex A (medical device problem) codes.
    pub device_problem_codes: Vec<String>,
    /// IMDRF Annex G (medical device component) codes.
    pub component_codes: Vec<String>,
    pub number_of_patients: Option<u32>,
    pub number_of_devices: Option<u32>,
    pub usage: Option<DeviceUsage>,
    pub operator: Option<Operator>,
    /// Where it happened, e.g. "patient's home", "hospital ward".
    pub location: Option<String>,
    /// ISO 3166-1 alpha-2 code of the country where it happened.
    pub country: Option<String>,
    /// IMDRF Annex E (clinical signs, symptoms and conditions) codes.
    pub health_effect_codes: Vec<String>,
    /// IMDRF Annex F (health impact) codes.
    pub health_impact_codes: Vec<String>,
}

/// Form section 3: the patient involved, where known.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MirPatient {
    pub age: Option<Age>,
    pub sex: Option<Sex>,
    pub weight_kg: Option<f64>,
    /// Remedial action taken for the patient (treatment, surgery, …).
    pub remedial_action: Option<String>,
}

/// Form section 4: the manufacturer's preliminary or final analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MirInvestigation {
    /// Results of the manufacturer's analysis so far.
    pub analysis_results: Option<String>,
    /// IMDRF Annex B (type of investigation) codes.
    pub investigation_type_codes: Vec<String>,
    /// IMDRF Annex C (investigation findings) codes.
    pub findings_codes: Vec<String>,
    /// IMDRF Annex D (investigation conclusion) codes.
    pub conclusion_codes: Vec<String>,
    pub root_cause: Option<String>,
    /// Remedial, corrective and preventive actions, including any field safety corrective
    /// action (FSCA).
    pub remedial_action: Option<String>,
    /// The manufacturer's FSCA reference, when the incident is covered by one.
    pub fsca_reference: Option<String>,
    /// 1.2 f on the form: for initial and follow-up reports, when the next report is expected.
    pub next_report_date: Option<Date>,
}

code_enum! {
    /// 1.2 e: type of report.
    pub enum MirReportType {
        Initial = ("initial", "Initial"),
        FollowUp = ("follow_up", "Follow up"),
        CombinedInitialFinal = ("combined_initial_final", "Combined initial and final"),
        FinalReportable = ("final_reportable", "Final (reportable incident)"),
        FinalNonReportable = ("final_non_reportable", "Final (non-reportable incident)"),
    }
}

impl MirReportType {
    /// A final report closes the investigation: its analysis and codes must be complete.
    pub fn is_final(self) -> bool {
        !matches!(self, MirReportType::Initial | MirReportType::FollowUp)
    }
}

code_enum! {
    /// 1.2 g: classification of the serious incident.
    pub enum IncidentClass {
        SeriousPublicHealthThreat = ("serious_public_health_threat", "Serious public health threat"),
        Death = ("death", "Death"),
        UnanticipatedSeriousDeterioration = (
            "unanticipated_serious_deterioration",
            "Unanticipated serious deterioration in state of health"
        ),
        OtherReportable = ("other_reportable", "All other reportable incidents"),
    }
}

impl IncidentClass {
    /// The IMDRF Annex F health impact code that must accompany the classification.
    fn health_impact_code(self) -> Option<&'static str> {
        match self {
            IncidentClass::SeriousPublicHealthThreat => Some("F20"),
            IncidentClass::Death => Some("F02"),
            IncidentClass::UnanticipatedSeriousDeterioration => Some("F21"),
            IncidentClass::OtherReportable => None,
        }
    }
}

code_enum! {
    /// 1.3.1 a: who submits the report.
    pub enum SubmitterRole {
        Manufacturer = ("manufacturer", "Manufacturer"),
        AuthorisedRepresentative = ("authorised_representative", "Authorised representative"),
        Other = ("other", "Other"),
    }
}

code_enum! {
    /// The device's risk class under the MDR (I–III), the IVDR (A–D) or the AIMD directive.
    pub enum RiskClass {
        ClassI = ("I", "Class I"),
        ClassIIa = ("IIa", "Class IIa"),
        ClassIIb = ("IIb", "Class IIb"),
        ClassIII = ("III", "Class III"),
        ClassA = ("A", "Class A (IVD)"),
        ClassB = ("B", "Class B (IVD)"),
        ClassC = ("C", "Class C (IVD)"),
        ClassD = ("D", "Class D (IVD)"),
        ActiveImplantable = ("AIMD", "Active implantable (AIMDD)"),
    }
}

impl RiskClass {
    /// Self-certified classes; a sterile or measuring class I device does have a notified body,
    /// so for those the officer fills the number in regardless.
    fn needs_notified_body(self) -> bool {
        !matches!(self, RiskClass::ClassI | RiskClass::ClassA)
    }
}

code_enum! {
    /// How the device was being used when the incident occurred.
    pub enum DeviceUsage {
        InitialUse = ("initial_use", "Initial use"),
        ReuseSingleUse = ("reuse_single_use", "Reuse of a single use device"),
        ReuseReusable = ("reuse_reusable", "Reuse of a reusable device"),
        ReservicedRefurbished = ("reserviced_refurbished", "Re-serviced/refurbished"),
        ProblemNotedPriorToUse = ("problem_noted_prior_to_use", "Problem noted prior to use"),
        Other = ("other", "Other"),
    }
}

code_enum! {
    /// Who operated the device at the time of the incident.
    pub enum Operator {
        HealthcareProfessional = ("healthcare_professional", "Healthcare professional"),
        Patient = ("patient", "Patient"),
        Other = ("other", "Other"),
    }
}

impl MirDraft {
    /// Checks every IMDRF code against the annex its field takes, the order of the dates, the
    /// Annex F code the classification implies, and the shape of country codes and weight.
    pub fn validate(&self, codes: &CodeTable) -> Result<(), Vec<DraftProblem>> {
        let mut p = Problems::default();
        let (a, d, i, pt, inv) = (
            &self.admin,
            &self.device,
            &self.incident,
            &self.patient,
            &self.investigation,
        );

        p.codes(
            codes,
            Annex::A,
            "incident.device_problem_codes",
            &i.device_problem_codes,
        );
        p.codes(
            codes,
            Annex::G,
            "incident.component_codes",
            &i.component_codes,
        );
        p.codes(
            codes,
            Annex::E,
            "incident.health_effect_codes",
            &i.health_effect_codes,
        );
        p.codes(
            codes,
            Annex::F,
            "incident.health_impact_codes",
            &i.health_impact_codes,
        );
        p.codes(
            codes,
            Annex::B,
            "investigation.investigation_type_codes",
            &inv.investigation_type_codes,
        );
        p.codes(
            codes,
            Annex::C,
            "investigation.findings_codes",
            &inv.findings_codes,
        );
        p.codes(
            codes,
            Annex::D,
            "investigation.conclusion_codes",
            &inv.conclusion_codes,
        );

        if let Some(required) = a
            .incident_classification
            .and_then(IncidentClass::health_impact_code)
            && !i.health_impact_codes.iter().any(|c| c == required)
        {
            let term = codes
                .get(Annex::F, required)
                .map_or("", |t| t.term.as_str());
            p.push(
                "incident.health_impact_codes",
                format!(
                    "the incident is classified \"{}\" but `{required}` ({term}) is not coded",
                    a.incident_classification.map_or("", IncidentClass::label)
                ),
            );
        }

        p.in_order(
            ("incident.incident_date", i.incident_date),
            (
                "admin.manufacturer_awareness_date",
                a.manufacturer_awareness_date,
            ),
        );
        p.in_order(
            (
                "admin.manufacturer_awareness_date",
                a.manufacturer_awareness_date,
            ),
            (
                "admin.reportability_awareness_date",
                a.reportability_awareness_date,
            ),
        );
        p.in_order(
            (
                "admin.reportability_awareness_date",
                a.reportability_awareness_date,
            ),
            ("admin.report_date", a.report_date),
        );
        if let (Some(report), Some(next)) = (a.report_date, inv.next_report_date)
            && next <= report
        {
            p.push(
                "investigation.next_report_date",
                format!("{next} is not after admin.report_date ({report})"),
            );
        }

        p.country("admin.recipient_country", a.recipient_country.as_deref());
        p.country(
            "manufacturer.address.country",
            self.manufacturer.address.country.as_deref(),
        );
        if let Some(ar) = &self.manufacturer.authorised_representative {
            p.country(
                "manufacturer.authorised_representative.address.country",
                ar.address.country.as_deref(),
            );
        }
        for (n, c) in d.market_distribution.iter().enumerate() {
            p.country(&format!("device.market_distribution[{n}]"), Some(c));
        }
        p.country("incident.country", i.country.as_deref());

        p.weight("patient.weight_kg", pt.weight_kg);
        p.finish()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a MIR draft always serialises to JSON")
    }

    /// The draft in Vigilo's own MIR draft XML vocabulary (see the module documentation): not
    /// the European Commission's XSD.
    pub fn to_xml(&self) -> String {
        let mut x = XmlOut::new();
        x.comment(DRAFT_NOTICE);
        x.open(
            "mir",
            &[
                ("version", MIR_FORM_VERSION),
                ("xmlns", MIR_DRAFT_NAMESPACE),
            ],
        );

        let a = &self.admin;
        x.section("admin", |x| {
            x.field("recipient_nca", a.recipient_nca.as_ref());
            x.field("recipient_country", a.recipient_country.as_ref());
            x.field("nca_reference", a.nca_reference.as_ref());
            x.field("eudamed_reference", a.eudamed_reference.as_ref());
            x.field("report_date", a.report_date);
            x.field("manufacturer_awareness_date", a.manufacturer_awareness_date);
            x.field(
                "reportability_awareness_date",
                a.reportability_awareness_date,
            );
            x.field("type_of_report", a.type_of_report.map(MirReportType::code));
            x.field(
                "incident_classification",
                a.incident_classification.map(IncidentClass::code),
            );
            x.field("submitter_role", a.submitter_role.map(SubmitterRole::code));
            x.field("submitter_role_other", a.submitter_role_other.as_ref());
            x.field("manufacturer_reference", a.manufacturer_reference.as_ref());
            x.list("related_references", "reference", &a.related_references);
        });

        let m = &self.manufacturer;
        x.section("manufacturer", |x| {
            x.field("name", m.name.as_ref());
            x.field("srn", m.srn.as_ref());
            x.address("address", &m.address);
            x.contact("contact", &m.contact);
            if let Some(ar) = &m.authorised_representative {
                x.section("authorised_representative", |x| {
                    x.field("name", ar.name.as_ref());
                    x.field("srn", ar.srn.as_ref());
                    x.address("address", &ar.address);
                    x.contact("contact", &ar.contact);
                });
            }
        });

        let d = &self.device;
        x.section("device", |x| {
            x.field("basic_udi_di", d.basic_udi_di.as_ref());
            x.field("udi_di", d.udi_di.as_ref());
            x.field("serial_number", d.serial_number.as_ref());
            x.field("lot_number", d.lot_number.as_ref());
            x.field("software_version", d.software_version.as_ref());
            x.field("risk_class", d.risk_class.map(RiskClass::code));
            x.field("trade_name", d.trade_name.as_ref());
            x.field("model", d.model.as_ref());
            x.field("catalogue_number", d.catalogue_number.as_ref());
            x.field("nomenclature_code", d.nomenclature_code.as_ref());
            x.field("notified_body_number", d.notified_body_number.as_ref());
            x.list("market_distribution", "country", &d.market_distribution);
        });

        let i = &self.incident;
        x.section("incident", |x| {
            x.field("incident_date", i.incident_date);
            x.field("description", i.description.as_ref());
            x.list("device_problem_codes", "code", &i.device_problem_codes);
            x.list("component_codes", "code", &i.component_codes);
            x.field("number_of_patients", i.number_of_patients);
            x.field("number_of_devices", i.number_of_devices);
            x.field("usage", i.usage.map(DeviceUsage::code));
            x.field("operator", i.operator.map(Operator::code));
            x.field("location", i.location.as_ref());
            x.field("country", i.country.as_ref());
            x.list("health_effect_codes", "code", &i.health_effect_codes);
            x.list("health_impact_codes", "code", &i.health_impact_codes);
        });

        let pt = &self.patient;
        x.section("patient", |x| {
            if let Some(age) = pt.age {
                x.section("age", |x| {
                    x.field("value", Some(age.value));
                    x.field("unit", Some(age.unit.code()));
                });
            }
            x.field("sex", pt.sex.map(Sex::code));
            x.field("weight_kg", pt.weight_kg);
            x.field("remedial_action", pt.remedial_action.as_ref());
        });

        let inv = &self.investigation;
        x.section("investigation", |x| {
            x.field("analysis_results", inv.analysis_results.as_ref());
            x.list(
                "investigation_type_codes",
                "code",
                &inv.investigation_type_codes,
            );
            x.list("findings_codes", "code", &inv.findings_codes);
            x.list("conclusion_codes", "code", &inv.conclusion_codes);
            x.field("root_cause", inv.root_cause.as_ref());
            x.field("remedial_action", inv.remedial_action.as_ref());
            x.field("fsca_reference", inv.fsca_reference.as_ref());
            x.field("next_report_date", inv.next_report_date);
        });

        x.field("comments", self.comments.as_ref());
        x.close("mir");
        x.finish()
    }

    /// The fields still empty that the report needs before submission, as JSON paths (two
    /// joined by "or" where either will do), for the officer's to-do list. What is needed
    /// depends on the type of report: a final report needs the complete analysis and its
    /// codes, an initial or follow-up report the date of the next one. Patient details are
    /// asked where known and never listed here.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut m = Missing::default();
        let (a, mf, d, i, inv) = (
            &self.admin,
            &self.manufacturer,
            &self.device,
            &self.incident,
            &self.investigation,
        );
        let is_final = a.type_of_report.is_some_and(MirReportType::is_final);

        m.need("admin.recipient_nca", a.recipient_nca.is_some());
        m.need("admin.recipient_country", a.recipient_country.is_some());
        m.need("admin.report_date", a.report_date.is_some());
        m.need(
            "admin.manufacturer_awareness_date",
            a.manufacturer_awareness_date.is_some(),
        );
        m.need(
            "admin.reportability_awareness_date",
            a.reportability_awareness_date.is_some(),
        );
        m.need("admin.type_of_report", a.type_of_report.is_some());
        m.need(
            "admin.incident_classification",
            a.incident_classification.is_some(),
        );
        m.need("admin.submitter_role", a.submitter_role.is_some());
        m.need(
            "admin.submitter_role_other",
            a.submitter_role != Some(SubmitterRole::Other) || a.submitter_role_other.is_some(),
        );
        m.need(
            "admin.manufacturer_reference",
            a.manufacturer_reference.is_some(),
        );

        m.need("manufacturer.name", mf.name.is_some());
        m.need("manufacturer.srn", mf.srn.is_some());
        m.need("manufacturer.address", mf.address.is_complete());
        m.need("manufacturer.contact.name", mf.contact.name.is_some());
        m.need("manufacturer.contact.email", mf.contact.email.is_some());
        m.need(
            "manufacturer.authorised_representative",
            a.submitter_role != Some(SubmitterRole::AuthorisedRepresentative)
                || mf.authorised_representative.is_some(),
        );

        m.need("device.basic_udi_di", d.basic_udi_di.is_some());
        m.need("device.udi_di", d.udi_di.is_some());
        m.need(
            "device.serial_number or device.lot_number",
            d.serial_number.is_some() || d.lot_number.is_some(),
        );
        m.need("device.risk_class", d.risk_class.is_some());
        m.need("device.trade_name", d.trade_name.is_some());
        m.need(
            "device.model or device.catalogue_number",
            d.model.is_some() || d.catalogue_number.is_some(),
        );
        m.need("device.nomenclature_code", d.nomenclature_code.is_some());
        m.need(
            "device.notified_body_number",
            d.notified_body_number.is_some()
                || d.risk_class.is_some_and(|c| !c.needs_notified_body()),
        );
        m.need(
            "device.market_distribution",
            !d.market_distribution.is_empty(),
        );

        m.need("incident.incident_date", i.incident_date.is_some());
        m.need("incident.description", i.description.is_some());
        m.need(
            "incident.device_problem_codes",
            !i.device_problem_codes.is_empty(),
        );
        m.need(
            "incident.component_codes",
            !is_final || !i.component_codes.is_empty(),
        );
        m.need(
            "incident.number_of_patients",
            i.number_of_patients.is_some(),
        );
        m.need("incident.number_of_devices", i.number_of_devices.is_some());
        m.need("incident.usage", i.usage.is_some());
        m.need("incident.operator", i.operator.is_some());
        m.need("incident.country", i.country.is_some());
        m.need(
            "incident.health_effect_codes",
            !i.health_effect_codes.is_empty(),
        );
        m.need(
            "incident.health_impact_codes",
            !i.health_impact_codes.is_empty(),
        );

        m.need(
            "investigation.analysis_results",
            inv.analysis_results.is_some(),
        );
        m.need(
            "investigation.investigation_type_codes",
            !is_final || !inv.investigation_type_codes.is_empty(),
        );
        m.need(
            "investigation.findings_codes",
            !is_final || !inv.findings_codes.is_empty(),
        );
        m.need(
            "investigation.conclusion_codes",
            !is_final || !inv.conclusion_codes.is_empty(),
        );
        m.need(
            "investigation.root_cause",
            !is_final || inv.root_cause.is_some(),
        );
        m.need(
            "investigation.remedial_action",
            !is_final || inv.remedial_action.is_some(),
        );
        m.need(
            "investigation.next_report_date",
            is_final || inv.next_report_date.is_some(),
        );
        m.finish()
    }
}
