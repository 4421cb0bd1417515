use std::collections::BTreeMap;

use jiff::civil::date;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use vigilo_incident::mir::{
    DeviceUsage, IncidentClass, MirAdmin, MirDevice, MirIncident, MirInvestigation,
    MirManufacturer, MirParty, MirPatient, MirReportType, Operator, RiskClass, SubmitterRole,
};
use vigilo_incident::{Address, Age, AgeUnit, Contact, MirDraft, Sex, codes};

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|&i| i.to_owned()).collect()
}

/// A follow-up MIR: a PulseTherm P2 portable therapy device whose battery pack overheated
/// during home therapy and burnt the patient's forearm.
fn pulsetherm_mir() -> MirDraft {
    MirDraft {
        admin: MirAdmin {
            recipient_nca: s("Bundesinstitut für Arzneimittel und Medizinprodukte (BfArM)"),
            recipient_country: s("DE"),
            nca_reference: s("BfArM-2026-004711"),
            eudamed_reference: None,
            report_date: Some(date(2026, 4, 7)),
            manufacturer_awareness_date: Some(date(2026, 3, 2)),
            reportability_awareness_date: Some(date(2026, 3, 4)),
            type_of_report: Some(MirReportType::FollowUp),
            incident_classification: Some(IncidentClass::UnanticipatedSeriousDeterioration),
            submitter_role: Some(SubmitterRole::Manufacturer),
            submitter_role_other: None,
            manufacturer_reference: s("ACME-VIG-2026-0007"),
            related_references: Vec::new(),
        },
        manufacturer: MirManufacturer {
            name: s("Acme Medical GmbH"),
            srn: s("DE-MF-000012345"),
            address: Address {
                lines: list(&["Musterstraße 1"]),
                city: s("Berlin"),
                postal_code: s("10115"),
                region: None,
                country: s("DE"),
            },
            contact: Contact {
                name: s("Anna Weber"),
                phone: s("+49 30 1234567"),
                email: s("vigilance@acme-medical.example"),
            },
            authorised_representative: None,
        },
        device: MirDevice {
            basic_udi_di: s("4260123450PT2Q9"),
            udi_di: s("04260123450007"),
            serial_number: s("PT2-000002"),
            lot_number: s("PT2-2503"),
            software_version: s("2.1.0"),
            risk_class: Some(RiskClass::ClassIIa),
            trade_name: s("PulseTherm P2"),
            model: s("P2"),
            catalogue_number: s("PT2-EU"),
            nomenclature_code: s("Z12070101"),
            notified_body_number: s("0123"),
            market_distribution: list(&["DE", "AT", "IT", "FR", "NL"]),
        },
        incident: MirIncident {
            incident_date: Some(date(2026, 3, 1)),
            description: s(
                "During a home therapy session the battery pack (BAT-7420, lot L2405) overheated: \
                 housing temperature > 60 °C & a smell of burning plastic. The patient removed \
                 the applicator after <2 min of heat and found a blistered burn (3 cm × 2 cm) on \
                 the left forearm.\nThe patient's daughter called the help desk on 2026-03-02.",
            ),
            device_problem_codes: list(&["A1005", "A0705"]),
            component_codes: list(&["G02002"]),
            number_of_patients: Some(1),
            number_of_devices: Some(1),
            usage: Some(DeviceUsage::ReuseReusable),
            operator: Some(Operator::Patient),
            location: s("patient's home"),
            country: s("DE"),
            health_effect_codes: list(&["E170405"]),
            health_impact_codes: list(&["F21", "F2303"]),
        },
        patient: MirPatient {
            age: Some(Age {
                value: 67,
                unit: AgeUnit::Years,
            }),
            sex: Some(Sex::Female),
            weight_kg: Some(72.5),
            remedial_action: s(
                "Burn cooled at home; treated by the general practitioner with a silver \
                 sulfadiazine dressing; healed after three weeks.",
            ),
        },
        investigation: MirInvestigation {
            analysis_results: s(
                "Returned device and battery pack tested: cell 3 of the pack shows an internal \
                 short circuit; 12 retained packs of lot L2405 tested, 2 with elevated \
                 self-discharge.",
            ),
            investigation_type_codes: list(&["B01", "B02", "B14"]),
            findings_codes: list(&["C1101", "C0201"]),
            conclusion_codes: list(&["D02"]),
            root_cause: s(
                "Separator defect in cells of supplier lot 24-118 used in battery lot L2405.",
            ),
            remedial_action: s(
                "Battery lot L2405 quarantined; replacement of fielded L2405 packs planned as FSCA.",
            ),
            fsca_reference: s("ACME-FSCA-2026-002"),
            next_report_date: Some(date(2026, 5, 15)),
        },
        comments: s("Two similar complaints from Austria are under trend review."),
    }
}

#[test]
fn the_example_is_valid_and_complete() {
    let mir = pulsetherm_mir();
    assert_eq!(mir.validate(codes()), Ok(()));
    assert_eq!(mir.missing(), Vec::<&str>::new());
}

#[test]
fn json_round_trips() {
    let mir = pulsetherm_mir();
    let back: MirDraft = serde_json::from_str(&mir.to_json()).unwrap();
    assert_eq!(back, mir);

    let empty = MirDraft::default();
    let back: MirDraft = serde_json::from_str(&empty.to_json()).unwrap();
    assert_eq!(back, empty);
}

#[test]
fn json_refuses_values_off_the_list() {
    let mut json: serde_json::Value = serde_json::from_str(&pulsetherm_mir().to_json()).unwrap();
    json["admin"]["type_of_report"] = "interim".into();
    let err = serde_json::from_value::<MirDraft>(json).unwrap_err();
    assert!(
        err.to_string()
            .contains("`interim` is not a MirReportType code"),
        "{err}"
    );
}

/// The XML as quick-xml reads it back.
struct ReadBack {
    /// Element path (`mir/admin/report_date`) → the texts of the elements there, with entity
    /// references resolved.
    texts: BTreeMap<String, Vec<String>>,
    root_attributes: Vec<(String, String)>,
}

fn read_xml(xml: &str) -> ReadBack {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut root_attributes = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => {
                let name = start.name().as_ref().to_owned();
                if path.is_empty() {
                    for a in start.attributes() {
                        let a = a.unwrap();
                        root_attributes.push((
                            a.key.as_ref().to_owned(),
                            a.normalized_value(XmlVersion::Explicit1_0)
                                .unwrap()
                                .into_owned(),
                        ));
                    }
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                text.push_str(resolve_predefined_entity(&r).expect("predefined entity"))
            }
            Event::End(_) => {
                if !text.trim().is_empty() {
                    texts
                        .entry(path.join("/"))
                        .or_default()
                        .push(std::mem::take(&mut text));
                }
                text.clear();
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(path.is_empty(), "every element closed");
    ReadBack {
        texts,
        root_attributes,
    }
}

#[test]
fn xml_is_well_formed_and_escapes_the_narrative() {
    let mir = pulsetherm_mir();
    let xml = mir.to_xml();
    assert!(
        xml.contains("&lt;2 min") && xml.contains("&amp; a smell"),
        "{xml}"
    );

    let ReadBack {
        texts,
        root_attributes: root,
    } = read_xml(&xml);
    assert_eq!(
        root,
        [
            ("version".to_owned(), "7.3.1".to_owned()),
            ("xmlns".to_owned(), "urn:vigilo:mir-draft:1".to_owned()),
        ]
    );
    let one = |path: &str| texts[path][0].clone();
    assert_eq!(
        one("mir/incident/description"),
        mir.incident.description.unwrap()
    );
    assert_eq!(one("mir/admin/type_of_report"), "follow_up");
    assert_eq!(one("mir/admin/report_date"), "2026-04-07");
    assert_eq!(one("mir/manufacturer/address/city"), "Berlin");
    assert_eq!(one("mir/device/risk_class"), "IIa");
    assert_eq!(
        texts["mir/incident/device_problem_codes/code"],
        ["A1005", "A0705"]
    );
    assert_eq!(texts["mir/device/market_distribution/country"].len(), 5);
    assert_eq!(one("mir/patient/age/value"), "67");
    assert_eq!(one("mir/patient/weight_kg"), "72.5");
    assert_eq!(one("mir/investigation/next_report_date"), "2026-05-15");
    assert_eq!(one("mir/comments"), mir.comments.unwrap());
    assert!(
        !texts.contains_key("mir/admin/eudamed_reference"),
        "unknown fields are left out"
    );
}

#[test]
fn xml_stays_well_formed_with_markup_and_control_characters_in_text() {
    let mut mir = MirDraft::default();
    mir.incident.description = s("<script>&amp;\"quoted\" 'single' ]]> \u{1b}[0m end");
    mir.manufacturer.authorised_representative = Some(MirParty {
        name: s("R&D <EU> Rep"),
        ..MirParty::default()
    });
    let texts = read_xml(&mir.to_xml()).texts;
    assert_eq!(
        texts["mir/incident/description"][0],
        "<script>&amp;\"quoted\" 'single' ]]> \u{FFFD}[0m end"
    );
    assert_eq!(
        texts["mir/manufacturer/authorised_representative/name"][0],
        "R&D <EU> Rep"
    );
}

#[test]
fn validate_names_the_field_of_a_wrong_annex_or_unknown_code() {
    let mut mir = pulsetherm_mir();
    mir.incident.device_problem_codes = list(&["A1005", "E0101", "A0299", "A1005"]);
    mir.incident.component_codes = list(&["A0705"]);
    mir.investigation.conclusion_codes = list(&["D16", "C1101"]);
    mir.incident.health_effect_codes = list(&["E01"]);

    let problems: Vec<String> = mir
        .validate(codes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "incident.device_problem_codes[1]: `E0101` is not an IMDRF Annex A (medical device \
             problem) code; it is the Annex E (clinical signs, symptoms and conditions) term \
             \"Balance Problems\"",
            "incident.device_problem_codes[2]: `A0299` is not an IMDRF Annex A (medical device \
             problem) code",
            "incident.device_problem_codes[3]: `A1005` is listed twice",
            "incident.component_codes[0]: `A0705` is not an IMDRF Annex G (medical device \
             component) code; it is the Annex A (medical device problem) term \"Battery Problem\"",
            "incident.health_effect_codes[0]: `E01` (Nervous System) is a category heading of \
             IMDRF Annex E (clinical signs, symptoms and conditions); choose a more specific term \
             under it",
            "investigation.conclusion_codes[1]: `C1101` is not an IMDRF Annex D (investigation \
             conclusion) code; it is the Annex C (investigation findings) term \"Overheating \
             Problem Identified\"",
        ]
    );
}

#[test]
fn validate_checks_dates_classification_countries_and_weight() {
    let mut mir = pulsetherm_mir();
    mir.incident.incident_date = Some(date(2026, 3, 3));
    mir.investigation.next_report_date = Some(date(2026, 4, 7));
    mir.admin.incident_classification = Some(IncidentClass::Death);
    mir.device.market_distribution.push("Germany".to_owned());
    mir.patient.weight_kg = Some(f64::NAN);

    let problems: Vec<String> = mir
        .validate(codes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "incident.health_impact_codes: the incident is classified \"Death\" but `F02` (Death) \
             is not coded",
            "incident.incident_date: 2026-03-03 is after admin.manufacturer_awareness_date \
             (2026-03-02)",
            "investigation.next_report_date: 2026-04-07 is not after admin.report_date \
             (2026-04-07)",
            "device.market_distribution[5]: `Germany` is not an ISO 3166-1 alpha-2 country code",
            "patient.weight_kg: NaN is not a body weight in kg",
        ]
    );
}

#[test]
fn missing_is_the_to_do_list_for_the_type_of_report() {
    let empty = MirDraft::default();
    let missing = empty.missing();
    assert!(missing.contains(&"admin.report_date"));
    assert!(missing.contains(&"incident.device_problem_codes"));
    assert!(missing.contains(&"investigation.next_report_date"));
    assert!(
        !missing.contains(&"investigation.root_cause"),
        "not before the final report"
    );
    assert!(missing.contains(&"device.notified_body_number"));

    let mut last = pulsetherm_mir();
    last.admin.type_of_report = Some(MirReportType::FinalReportable);
    last.admin.submitter_role = Some(SubmitterRole::AuthorisedRepresentative);
    last.investigation.next_report_date = None;
    last.investigation.root_cause = None;
    last.investigation.findings_codes.clear();
    last.incident.component_codes.clear();
    last.device.risk_class = Some(RiskClass::ClassI);
    last.device.notified_body_number = None;
    assert_eq!(
        last.missing(),
        [
            "manufacturer.authorised_representative",
            "incident.component_codes",
            "investigation.findings_codes",
            "investigation.root_cause",
        ]
    );
}

#[test]
fn snapshot_mir_json() {
    insta::assert_snapshot!("mir_json", pulsetherm_mir().to_json());
}

#[test]
fn snapshot_mir_xml() {
    insta::assert_snapshot!("mir_xml", pulsetherm_mir().to_xml());
}
