//! The FDA MedWatch Form 3500A (mandatory reporting, 21 CFR 803) as a draft the vigilance
//! officer fills in, written as JSON.
//!
//! Field names follow FDA's own names in the openFDA device adverse event data (MAUDE) where
//! one exists (`event_type`, `date_received`, `report_source_code`, `type_of_report`,
//! `device_report_product_code`, …), and coded fields carry MAUDE's codes from its code lists
//! (`data/enums.csv`, FDA, CC0): `event_type` is `"D"`, `"IN"`, `"M"` or `"O"`, not a word.
//! Fields the form has and openFDA does not (the UDI, serial number, implant dates, the
//! follow-up number) get plain names of the same style.
//!
//! Sections follow the form: A patient, B adverse event or product problem, D suspect medical
//! device, E initial reporter, G all manufacturers, H device manufacturers only. Section C
//! (suspect drug products) and section F (user facility or importer) are not part of a device
//! manufacturer's report and are left out.
//!
//! Section H6 carries IMDRF codes (Annexes A–G): FDA maps its event problem and evaluation
//! codes to the IMDRF terminology, and coding once serves the MIR too.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::common::{Missing, Problems};
use crate::imdrf::{Annex, CodeTable};
use crate::{Address, Age, Contact, DraftProblem, Sex};

const MAUDE_ENUMS: &str = include_str!("../data/enums.csv");

/// The description of `code` on MAUDE's code list `list` (a `key_name` of `enums.csv`, e.g.
/// `reporter_occupation_code`), if it is on it. MAUDE's `*` ("invalid data") marks bad records
/// in FDA's database and is never a value to report.
pub fn maude_code_description(list: &str, code: &str) -> Option<&'static str> {
    if code == "*" {
        return None;
    }
    MAUDE_ENUMS.lines().skip(1).find_map(|line| {
        // Keys and codes never hold a comma; only descriptions are quoted.
        let mut parts = line.splitn(3, ',');
        let (key, value, description) = (parts.next()?, parts.next()?, parts.next()?);
        (key == list && value == code).then(|| description.trim_matches('"'))
    })
}

/// A 3500A draft. Every field the officer may not know yet is an `Option` or a list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fda3500aDraft {
    /// Section A.
    pub patient: FdaPatient,
    /// Section B.
    pub event: FdaEvent,
    /// Section D.
    pub device: FdaDevice,
    /// Section E.
    pub initial_reporter: FdaInitialReporter,
    /// Section G.
    pub manufacturer: FdaManufacturer,
    /// Section H.
    pub device_manufacturer: FdaDeviceManufacturer,
}

/// Section A: patient information.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FdaPatient {
    /// A1: an identifier the reporter can trace, never the patient's name.
    pub patient_identifier: Option<String>,
    /// A2: age at the time of the event.
    pub patient_age: Option<Age>,
    /// A3.
    pub patient_sex: Option<Sex>,
    /// A4, in kg.
    pub patient_weight: Option<f64>,
    /// A5 (optional on the form).
    pub patient_ethnicity: Option<String>,
    /// A5 (optional on the form).
    pub patient_race: Option<String>,
}

/// Section B: adverse event or product problem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FdaEvent {
    /// B1: an adverse event happened to a patient.
    pub adverse_event_flag: bool,
    /// B1: the product has a problem (quality, performance, safety).
    pub product_problem_flag: bool,
    /// B2: outcomes attributed to the event (openFDA keeps them under this name in
    /// `patient[]`).
    pub sequence_number_outcome: Vec<Outcome>,
    /// B2: with the outcome death.
    pub date_of_death: Option<Date>,
    /// B3.
    pub date_of_event: Option<Date>,
    /// B4: date of this report.
    pub date_report: Option<Date>,
    /// B5: describe event or problem (MAUDE text type D).
    pub event_description: Option<String>,
    /// B6: relevant tests and laboratory data.
    pub relevant_tests: Option<String>,
    /// B7: other relevant history, including pre-existing conditions.
    pub other_relevant_history: Option<String>,
}

/// Section D: suspect medical device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FdaDevice {
    /// D1.
    pub brand_name: Option<String>,
    /// D2a: common device name.
    pub generic_name: Option<String>,
    /// D2b: FDA product code (three letters).
    pub device_report_product_code: Option<String>,
    /// D3: manufacturer name.
    pub manufacturer_d_name: Option<String>,
    /// D3: manufacturer address (openFDA splits it into `manufacturer_d_address_1`,
    /// `manufacturer_d_city`, …).
    pub manufacturer_d_address: Address,
    /// D4.
    pub model_number: Option<String>,
    pub catalog_number: Option<String>,
    pub serial_number: Option<String>,
    pub lot_number: Option<String>,
    /// D4: the device identifier part of the UDI.
    pub udi_di: Option<String>,
    /// D4: the full UDI as on the label (human readable form).
    pub udi_public: Option<String>,
    pub expiration_date_of_device: Option<Date>,
    /// D5: operator of the device, a MAUDE `device_operator` code (`0HP` health professional,
    /// `0LP` lay user/patient, `000` other, or a finer one).
    pub device_operator: Option<String>,
    /// D6a.
    pub date_implanted: Option<Date>,
    /// D6b.
    pub date_explanted: Option<Date>,
    /// D7a: a single-use device that was reprocessed and reused on a patient.
    pub reprocessed_and_reused_flag: Option<bool>,
    /// D7b: name and address of the reprocessor.
    pub reprocessor: Option<String>,
    /// D8/D9: is the device available for evaluation.
    pub device_availability: Option<DeviceAvailability>,
    pub date_returned_to_manufacturer: Option<Date>,
    /// D10: concomitant medical products and therapy dates.
    pub concomitant_products: Option<String>,
}

/// Section E: initial reporter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FdaInitialReporter {
    pub name: Option<String>,
    pub address: Address,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// E2.
    pub health_professional: Option<bool>,
    /// E3: a MAUDE `reporter_occupation_code`, e.g. `001` physician, `305` patient.
    pub reporter_occupation_code: Option<String>,
    /// E4: did the initial reporter also send a report to FDA.
    pub initial_report_to_fda: Option<YesNoUnknown>,
}

/// Section G: all manufacturers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FdaManufacturer {
    /// G1: contact office.
    pub manufacturer_name: Option<String>,
    pub manufacturer_address: Address,
    /// G1/G2: contact person, phone, e-mail.
    pub manufacturer_contact: Contact,
    /// Who files: a 3500A comes from a manufacturer, user facility or importer/distributor.
    pub report_source_code: Option<ReportSourceCode>,
    /// G3: report source(s).
    pub source_type: Vec<SourceType>,
    /// G4: date received by the manufacturer; the 30-day (or 5-day) clock runs from it.
    pub date_manufacturer_received: Option<Date>,
    /// G5: PMA or 510(k) number.
    pub pma_pmn_number: Option<String>,
    /// G7: initial or follow-up …
    pub type_of_report: Option<TypeOfReport>,
    /// … 5-day or 30-day report …
    pub report_timeframe: Option<ReportTimeframe>,
    /// … and which follow-up, counted from 1.
    pub follow_up_number: Option<u32>,
    /// G9: manufacturer report number (e.g. `2248721-2026-00001`).
    pub report_number: Option<String>,
}

/// Section H: device manufacturers only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FdaDeviceManufacturer {
    /// H1: type of reportable event.
    pub event_type: Option<EventType>,
    /// H2: what a follow-up report brings.
    pub follow_up_type: Vec<FollowUpType>,
    /// H3.
    pub device_evaluated_by_manufacturer: Option<DeviceEvaluated>,
    /// H3: the evaluation summary, or why the device was not evaluated (MAUDE text type E).
    pub manufacturer_evaluation_summary: Option<String>,
    /// H4: device manufacture date.
    pub device_date_of_manufacturer: Option<Date>,
    /// H5: labelled for single use.
    pub single_use_flag: Option<bool>,
    /// H6: IMDRF Annex A (medical device problem) codes.
    pub device_problem_codes: Vec<String>,
    /// H6: IMDRF Annex E (clinical signs, symptoms and conditions) codes.
    pub health_effect_clinical_codes: Vec<String>,
    /// H6: IMDRF Annex F (health impact) codes.
    pub health_effect_impact_codes: Vec<String>,
    /// H6 method: IMDRF Annex B (type of investigation) codes.
    pub evaluation_method_codes: Vec<String>,
    /// H6 results: IMDRF Annex C (investigation findings) codes.
    pub evaluation_result_codes: Vec<String>,
    /// H6 conclusions: IMDRF Annex D (investigation conclusion) codes.
    pub evaluation_conclusion_codes: Vec<String>,
    /// H6: IMDRF Annex G (medical device component) codes.
    pub component_codes: Vec<String>,
    /// H7: remedial action initiated.
    pub remedial_action: Vec<RemedialAction>,
    /// H7: what "Other" means.
    pub remedial_action_other: Option<String>,
    /// H8: usage of device.
    pub previous_use_code: Option<PreviousUse>,
    /// H9: the correction or removal report number (21 CFR 806), if one was filed.
    pub removal_correction_number: Option<String>,
    /// H10: additional manufacturer narrative (MAUDE text type N).
    pub additional_manufacturer_narrative: Option<String>,
}

code_enum! {
    /// H1 type of reportable event, MAUDE `event_type` (the form's "serious injury" is
    /// MAUDE's `IN` "Injury").
    pub enum EventType {
        Death = ("D", "Death"),
        Injury = ("IN", "Injury"),
        Malfunction = ("M", "Malfunction"),
        Other = ("O", "Other"),
    }
}

code_enum! {
    /// G7 initial or follow-up, MAUDE `type_of_report`.
    pub enum TypeOfReport {
        Initial = ("I", "Initial submission"),
        Followup = ("F", "Followup"),
    }
}

code_enum! {
    /// G7: a 30-day report (21 CFR 803.50) or a 5-day report (803.53: an event needing remedial
    /// action to prevent an unreasonable risk of substantial harm, or one FDA asked for).
    pub enum ReportTimeframe {
        FiveDay = ("5-day", "5-day"),
        ThirtyDay = ("30-day", "30-day"),
    }
}

code_enum! {
    /// MAUDE `report_source_code`: who filed. The voluntary report (`P`) is Form 3500, not 3500A.
    pub enum ReportSourceCode {
        Manufacturer = ("M", "Manufacturer report"),
        UserFacility = ("U", "User Facility report"),
        Distributor = ("D", "Distributor report"),
    }
}

code_enum! {
    /// G3 report source, MAUDE `source_type`.
    pub enum SourceType {
        Other = ("00", "Other"),
        Foreign = ("01", "Foreign"),
        Study = ("02", "Study"),
        Literature = ("03", "Literature"),
        Consumer = ("04", "Consumer"),
        HealthProfessional = ("05", "Health Professional"),
        UserFacility = ("06", "User facility"),
        CompanyRepresentation = ("07", "Company representation"),
        Distributor = ("08", "Distributor"),
    }
}

code_enum! {
    /// B2 outcome, MAUDE `sequence_number_outcome`.
    pub enum Outcome {
        Death = ("D", "Death"),
        LifeThreatening = ("L", "Life Threatening"),
        Hospitalization = ("H", "Hospitalization"),
        Disability = ("S", "Disability"),
        CongenitalAnomaly = ("C", "Congenital Anomaly"),
        RequiredIntervention = ("R", "Required Intervention"),
        Other = ("O", "Other"),
    }
}

code_enum! {
    /// H7 remedial action, MAUDE `remedial_action`.
    pub enum RemedialAction {
        Recall = ("RC", "Recall"),
        Repair = ("RP", "Repair"),
        Replace = ("RL", "Replace"),
        Relabeling = ("RB", "Relabeling"),
        Other = ("OT", "Other"),
        Notification = ("NO", "Notification"),
        Inspection = ("IN", "Inspection"),
        PatientMonitoring = ("PM", "Patient Monitoring"),
        ModificationAdjustment = ("MA", "Modification/Adjustment"),
    }
}

code_enum! {
    /// H3, MAUDE `device_evaluated_by_manufacturer`.
    pub enum DeviceEvaluated {
        Yes = ("Y", "Yes"),
        No = ("N", "No"),
        NotReturned = ("R", "Device not returned to manufacturer"),
    }
}

code_enum! {
    /// D8/D9, MAUDE `device_availability`.
    pub enum DeviceAvailability {
        Yes = ("Y", "Yes"),
        No = ("N", "No"),
        Returned = ("R", "Device was returned to manufacturer"),
    }
}

code_enum! {
    /// E4, MAUDE `initial_report_to_fda`.
    pub enum YesNoUnknown {
        Yes = ("Y", "Yes"),
        No = ("N", "No"),
        Unknown = ("U", "Unknown"),
    }
}

code_enum! {
    /// H8 usage of device, MAUDE `previous_use_code` (not in `enums.csv`; the codes are those
    /// of FDA's MAUDE records and the form's three boxes).
    pub enum PreviousUse {
        Initial = ("I", "Initial use of device"),
        Reuse = ("R", "Reuse"),
        Unknown = ("U", "Unknown"),
    }
}

code_enum! {
    /// H2: what a follow-up report brings.
    pub enum FollowUpType {
        Correction = ("correction", "Correction"),
        AdditionalInformation = ("additional_information", "Additional information"),
        ResponseToFdaRequest = ("response_to_fda_request", "Response to FDA request"),
        DeviceEvaluation = ("device_evaluation", "Device evaluation"),
    }
}

impl Fda3500aDraft {
    /// Checks the IMDRF codes of H6 against their annexes, the MAUDE codes of D5 and E3, the
    /// shape of the product code, the order of the dates, and that the parts of the report
    /// agree with each other (a death is an outcome, an initial report has no follow-up).
    pub fn validate(&self, codes: &CodeTable) -> Result<(), Vec<DraftProblem>> {
        let mut p = Problems::default();
        let (pa, ev, d, r, g, h) = (
            &self.patient,
            &self.event,
            &self.device,
            &self.initial_reporter,
            &self.manufacturer,
            &self.device_manufacturer,
        );

        let h6: [(Annex, &str, &[String]); 7] = [
            (
                Annex::A,
                "device_manufacturer.device_problem_codes",
                &h.device_problem_codes,
            ),
            (
                Annex::E,
                "device_manufacturer.health_effect_clinical_codes",
                &h.health_effect_clinical_codes,
            ),
            (
                Annex::F,
                "device_manufacturer.health_effect_impact_codes",
                &h.health_effect_impact_codes,
            ),
            (
                Annex::B,
                "device_manufacturer.evaluation_method_codes",
                &h.evaluation_method_codes,
            ),
            (
                Annex::C,
                "device_manufacturer.evaluation_result_codes",
                &h.evaluation_result_codes,
            ),
            (
                Annex::D,
                "device_manufacturer.evaluation_conclusion_codes",
                &h.evaluation_conclusion_codes,
            ),
            (
                Annex::G,
                "device_manufacturer.component_codes",
                &h.component_codes,
            ),
        ];
        for (annex, field, list) in h6 {
            p.codes(codes, annex, field, list);
        }

        if let Some(code) = &d.device_report_product_code
            && !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
        {
            p.push(
                "device.device_report_product_code",
                format!("`{code}` is not an FDA product code (three capital letters)"),
            );
        }
        maude(
            &mut p,
            "device.device_operator",
            "device_operator",
            d.device_operator.as_deref(),
        );
        maude(
            &mut p,
            "initial_reporter.reporter_occupation_code",
            "reporter_occupation_code",
            r.reporter_occupation_code.as_deref(),
        );

        if h.event_type == Some(EventType::Death)
            && !ev.sequence_number_outcome.contains(&Outcome::Death)
        {
            p.push(
                "event.sequence_number_outcome",
                "the reportable event (H1) is a death but the outcome Death is not checked",
            );
        }
        if g.type_of_report == Some(TypeOfReport::Initial) {
            if g.follow_up_number.is_some() {
                p.push(
                    "manufacturer.follow_up_number",
                    "an initial report has no follow-up number",
                );
            }
            if !h.follow_up_type.is_empty() {
                p.push(
                    "device_manufacturer.follow_up_type",
                    "an initial report has no follow-up type",
                );
            }
        }
        if g.follow_up_number == Some(0) {
            p.push(
                "manufacturer.follow_up_number",
                "follow-ups are counted from 1",
            );
        }

        p.in_order(
            ("event.date_of_event", ev.date_of_event),
            (
                "manufacturer.date_manufacturer_received",
                g.date_manufacturer_received,
            ),
        );
        p.in_order(
            (
                "manufacturer.date_manufacturer_received",
                g.date_manufacturer_received,
            ),
            ("event.date_report", ev.date_report),
        );
        p.in_order(
            ("event.date_of_event", ev.date_of_event),
            ("event.date_of_death", ev.date_of_death),
        );
        p.in_order(
            ("device.date_implanted", d.date_implanted),
            ("device.date_explanted", d.date_explanted),
        );

        p.country(
            "device.manufacturer_d_address.country",
            d.manufacturer_d_address.country.as_deref(),
        );
        p.country(
            "initial_reporter.address.country",
            r.address.country.as_deref(),
        );
        p.country(
            "manufacturer.manufacturer_address.country",
            g.manufacturer_address.country.as_deref(),
        );
        p.weight("patient.patient_weight", pa.patient_weight);
        p.finish()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a 3500A draft always serialises to JSON")
    }

    /// The fields still empty that the report needs before submission, as JSON paths (two
    /// joined by "or" where either will do), for the officer's to-do list. Patient details and
    /// health effect codes are needed when a patient had an adverse event; follow-up details
    /// only on a follow-up.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut m = Missing::default();
        let (pa, ev, d, r, g, h) = (
            &self.patient,
            &self.event,
            &self.device,
            &self.initial_reporter,
            &self.manufacturer,
            &self.device_manufacturer,
        );
        let adverse = ev.adverse_event_flag;
        let follow_up = g.type_of_report == Some(TypeOfReport::Followup);

        m.need(
            "patient.patient_identifier",
            !adverse || pa.patient_identifier.is_some(),
        );
        m.need("patient.patient_age", !adverse || pa.patient_age.is_some());
        m.need("patient.patient_sex", !adverse || pa.patient_sex.is_some());

        m.need(
            "event.adverse_event_flag or event.product_problem_flag",
            ev.adverse_event_flag || ev.product_problem_flag,
        );
        m.need(
            "event.sequence_number_outcome",
            !adverse || !ev.sequence_number_outcome.is_empty(),
        );
        m.need(
            "event.date_of_death",
            !ev.sequence_number_outcome.contains(&Outcome::Death) || ev.date_of_death.is_some(),
        );
        m.need("event.date_of_event", ev.date_of_event.is_some());
        m.need("event.date_report", ev.date_report.is_some());
        m.need("event.event_description", ev.event_description.is_some());

        m.need("device.brand_name", d.brand_name.is_some());
        m.need("device.generic_name", d.generic_name.is_some());
        m.need(
            "device.device_report_product_code",
            d.device_report_product_code.is_some(),
        );
        m.need(
            "device.manufacturer_d_name",
            d.manufacturer_d_name.is_some(),
        );
        m.need(
            "device.manufacturer_d_address",
            d.manufacturer_d_address.is_complete(),
        );
        m.need(
            "device.model_number or device.catalog_number",
            d.model_number.is_some() || d.catalog_number.is_some(),
        );
        m.need(
            "device.serial_number or device.lot_number",
            d.serial_number.is_some() || d.lot_number.is_some(),
        );
        m.need("device.udi_public", d.udi_public.is_some());
        m.need("device.device_operator", d.device_operator.is_some());
        m.need(
            "device.device_availability",
            d.device_availability.is_some(),
        );

        m.need("initial_reporter.name", r.name.is_some());
        m.need("initial_reporter.address", r.address.is_complete());
        m.need(
            "initial_reporter.health_professional",
            r.health_professional.is_some(),
        );
        m.need(
            "initial_reporter.reporter_occupation_code",
            r.reporter_occupation_code.is_some(),
        );

        m.need(
            "manufacturer.manufacturer_name",
            g.manufacturer_name.is_some(),
        );
        m.need(
            "manufacturer.manufacturer_address",
            g.manufacturer_address.is_complete(),
        );
        m.need(
            "manufacturer.manufacturer_contact.phone",
            g.manufacturer_contact.phone.is_some(),
        );
        m.need(
            "manufacturer.report_source_code",
            g.report_source_code.is_some(),
        );
        m.need("manufacturer.source_type", !g.source_type.is_empty());
        m.need(
            "manufacturer.date_manufacturer_received",
            g.date_manufacturer_received.is_some(),
        );
        m.need("manufacturer.type_of_report", g.type_of_report.is_some());
        m.need(
            "manufacturer.report_timeframe",
            g.report_timeframe.is_some(),
        );
        m.need(
            "manufacturer.follow_up_number",
            !follow_up || g.follow_up_number.is_some(),
        );
        m.need("manufacturer.report_number", g.report_number.is_some());

        m.need("device_manufacturer.event_type", h.event_type.is_some());
        m.need(
            "device_manufacturer.follow_up_type",
            !follow_up || !h.follow_up_type.is_empty(),
        );
        m.need(
            "device_manufacturer.device_evaluated_by_manufacturer",
            h.device_evaluated_by_manufacturer.is_some(),
        );
        m.need(
            "device_manufacturer.manufacturer_evaluation_summary",
            h.manufacturer_evaluation_summary.is_some(),
        );
        m.need(
            "device_manufacturer.single_use_flag",
            h.single_use_flag.is_some(),
        );
        m.need(
            "device_manufacturer.device_problem_codes",
            !h.device_problem_codes.is_empty(),
        );
        m.need(
            "device_manufacturer.health_effect_clinical_codes",
            !adverse || !h.health_effect_clinical_codes.is_empty(),
        );
        m.need(
            "device_manufacturer.health_effect_impact_codes",
            !adverse || !h.health_effect_impact_codes.is_empty(),
        );
        m.need(
            "device_manufacturer.evaluation_method_codes",
            !h.evaluation_method_codes.is_empty(),
        );
        m.need(
            "device_manufacturer.evaluation_result_codes",
            !h.evaluation_result_codes.is_empty(),
        );
        m.need(
            "device_manufacturer.evaluation_conclusion_codes",
            !h.evaluation_conclusion_codes.is_empty(),
        );
        m.need(
            "device_manufacturer.remedial_action_other",
            !h.remedial_action.contains(&RemedialAction::Other)
                || h.remedial_action_other.is_some(),
        );
        m.need(
            "device_manufacturer.previous_use_code",
            h.previous_use_code.is_some(),
        );
        m.finish()
    }
}

fn maude(p: &mut Problems, field: &str, list: &str, code: Option<&str>) {
    if let Some(code) = code
        && maude_code_description(list, code).is_none()
    {
        p.push(field, format!("`{code}` is not a MAUDE {list} code"));
    }
}
