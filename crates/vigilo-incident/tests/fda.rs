use std::collections::BTreeSet;

use jiff::civil::date;
use vigilo_incident::fda::{
    DeviceAvailability, DeviceEvaluated, EventType, FdaDevice, FdaDeviceManufacturer, FdaEvent,
    FdaInitialReporter, FdaManufacturer, FdaPatient, FollowUpType, Outcome, PreviousUse,
    RemedialAction, ReportSourceCode, ReportTimeframe, SourceType, TypeOfReport, YesNoUnknown,
    maude_code_description,
};
use vigilo_incident::{Address, Age, AgeUnit, Contact, Fda3500aDraft, Sex, codes};

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|&i| i.to_owned()).collect()
}

/// An initial 30-day report: the battery pack of a portable therapy device overheated during
/// home use in the US and burnt the patient's forearm.
fn pulsetherm_3500a() -> Fda3500aDraft {
    Fda3500aDraft {
        patient: FdaPatient {
            patient_identifier: s("PT-0311"),
            patient_age: Some(Age {
                value: 58,
                unit: AgeUnit::Years,
            }),
            patient_sex: Some(Sex::Male),
            patient_weight: Some(91.0),
            patient_ethnicity: None,
            patient_race: None,
        },
        event: FdaEvent {
            adverse_event_flag: true,
            product_problem_flag: true,
            sequence_number_outcome: vec![Outcome::RequiredIntervention],
            date_of_death: None,
            date_of_event: Some(date(2026, 3, 9)),
            date_report: Some(date(2026, 4, 3)),
            event_description: s(
                "Patient reported that the device became hot during a therapy session at home & \
                 the battery compartment emitted smoke. Patient sustained a second-degree burn \
                 (<5 cm²) on the right forearm, treated at an urgent care clinic.",
            ),
            relevant_tests: None,
            other_relevant_history: s("Chronic lower back pain; no known skin conditions."),
        },
        device: FdaDevice {
            brand_name: s("PulseTherm P2"),
            generic_name: s("Transcutaneous electrical nerve stimulator for pain relief"),
            device_report_product_code: s("GZJ"),
            manufacturer_d_name: s("Acme Medical GmbH"),
            manufacturer_d_address: Address {
                lines: list(&["Musterstraße 1"]),
                city: s("Berlin"),
                postal_code: s("10115"),
                region: None,
                country: s("DE"),
            },
            model_number: s("P2"),
            catalog_number: s("PT2-US"),
            serial_number: s("PT2-004417"),
            lot_number: s("PT2-2503"),
            udi_di: s("04260123450007"),
            udi_public: s("(01)04260123450007(11)250301(10)PT2-2503(21)PT2-004417"),
            expiration_date_of_device: None,
            device_operator: s("0LP"),
            date_implanted: None,
            date_explanted: None,
            reprocessed_and_reused_flag: Some(false),
            reprocessor: None,
            device_availability: Some(DeviceAvailability::Returned),
            date_returned_to_manufacturer: Some(date(2026, 3, 20)),
            concomitant_products: None,
        },
        initial_reporter: FdaInitialReporter {
            name: s("Jordan Miller"),
            address: Address {
                lines: list(&["120 Main Street"]),
                city: s("Springfield"),
                postal_code: s("62701"),
                region: s("IL"),
                country: s("US"),
            },
            phone: s("+1 217 555 0142"),
            email: None,
            health_professional: Some(false),
            reporter_occupation_code: s("305"),
            initial_report_to_fda: Some(YesNoUnknown::No),
        },
        manufacturer: FdaManufacturer {
            manufacturer_name: s("Acme Medical Inc. (US vigilance office)"),
            manufacturer_address: Address {
                lines: list(&["500 Commerce Drive", "Suite 200"]),
                city: s("Minneapolis"),
                postal_code: s("55401"),
                region: s("MN"),
                country: s("US"),
            },
            manufacturer_contact: Contact {
                name: s("Dana Brooks"),
                phone: s("+1 612 555 0190"),
                email: s("mdr@acme-medical.example"),
            },
            report_source_code: Some(ReportSourceCode::Manufacturer),
            source_type: vec![SourceType::Consumer],
            date_manufacturer_received: Some(date(2026, 3, 10)),
            pma_pmn_number: s("K251234"),
            type_of_report: Some(TypeOfReport::Initial),
            report_timeframe: Some(ReportTimeframe::ThirtyDay),
            follow_up_number: None,
            report_number: s("3012345678-2026-00004"),
        },
        device_manufacturer: FdaDeviceManufacturer {
            event_type: Some(EventType::Injury),
            follow_up_type: Vec::new(),
            device_evaluated_by_manufacturer: Some(DeviceEvaluated::Yes),
            manufacturer_evaluation_summary: s(
                "Returned battery pack: internal short circuit in cell 3; housing discoloured \
                 near the cell. Evaluation of retained packs of the same battery lot ongoing.",
            ),
            device_date_of_manufacturer: Some(date(2025, 3, 1)),
            single_use_flag: Some(false),
            device_problem_codes: list(&["A1005", "A1009"]),
            health_effect_clinical_codes: list(&["E170405"]),
            health_effect_impact_codes: list(&["F2303"]),
            evaluation_method_codes: list(&["B01", "B02"]),
            evaluation_result_codes: list(&["C1101"]),
            evaluation_conclusion_codes: list(&["D02"]),
            component_codes: list(&["G02002"]),
            remedial_action: vec![RemedialAction::Other],
            remedial_action_other: s("Battery lot quarantined pending investigation."),
            previous_use_code: Some(PreviousUse::Reuse),
            removal_correction_number: None,
            additional_manufacturer_narrative: s(
                "Same failure mode as EU report ACME-VIG-2026-0007.",
            ),
        },
    }
}

#[test]
fn the_example_is_valid_and_complete() {
    let report = pulsetherm_3500a();
    assert_eq!(report.validate(codes()), Ok(()));
    assert_eq!(report.missing(), Vec::<&str>::new());
}

#[test]
fn json_round_trips() {
    let report = pulsetherm_3500a();
    let back: Fda3500aDraft = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(back, report);

    let empty = Fda3500aDraft::default();
    let back: Fda3500aDraft = serde_json::from_str(&empty.to_json()).unwrap();
    assert_eq!(back, empty);
}

#[test]
fn coded_fields_carry_maude_codes() {
    let json: serde_json::Value = serde_json::from_str(&pulsetherm_3500a().to_json()).unwrap();
    assert_eq!(json["device_manufacturer"]["event_type"], "IN");
    assert_eq!(json["manufacturer"]["type_of_report"], "I");
    assert_eq!(json["manufacturer"]["report_source_code"], "M");
    assert_eq!(json["manufacturer"]["source_type"][0], "04");
    assert_eq!(json["event"]["sequence_number_outcome"][0], "R");
}

/// `enums.csv` as (key_name, code, code_desc); descriptions may be quoted.
fn maude_enums() -> BTreeSet<(String, String, String)> {
    include_str!("../data/enums.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let mut parts = line.splitn(3, ',');
            let key = parts.next().unwrap().to_owned();
            let code = parts.next().unwrap().to_owned();
            let description = parts.next().unwrap().trim_matches('"').to_owned();
            (key, code, description)
        })
        .collect()
}

fn assert_on_maude_list<T: Copy>(
    enums: &BTreeSet<(String, String, String)>,
    key: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) {
    for &v in all {
        let entry = (key.to_owned(), code(v).to_owned(), label(v).to_owned());
        assert!(enums.contains(&entry), "{entry:?} is not in enums.csv");
    }
}

#[test]
fn enumerations_match_fdas_maude_code_lists() {
    let enums = maude_enums();
    assert_eq!(enums.len(), 212);
    assert_on_maude_list(
        &enums,
        "event_type",
        EventType::ALL,
        EventType::code,
        EventType::label,
    );
    assert_on_maude_list(
        &enums,
        "type_of_report",
        TypeOfReport::ALL,
        TypeOfReport::code,
        TypeOfReport::label,
    );
    assert_on_maude_list(
        &enums,
        "report_source_code",
        ReportSourceCode::ALL,
        ReportSourceCode::code,
        ReportSourceCode::label,
    );
    assert_on_maude_list(
        &enums,
        "source_type",
        SourceType::ALL,
        SourceType::code,
        SourceType::label,
    );
    assert_on_maude_list(
        &enums,
        "sequence_number_outcome",
        Outcome::ALL,
        Outcome::code,
        Outcome::label,
    );
    assert_on_maude_list(
        &enums,
        "remedial_action",
        RemedialAction::ALL,
        RemedialAction::code,
        RemedialAction::label,
    );
    assert_on_maude_list(
        &enums,
        "device_evaluated_by_manufactur",
        DeviceEvaluated::ALL,
        DeviceEvaluated::code,
        DeviceEvaluated::label,
    );
    assert_on_maude_list(
        &enums,
        "device_availability",
        DeviceAvailability::ALL,
        DeviceAvailability::code,
        DeviceAvailability::label,
    );
    assert_on_maude_list(
        &enums,
        "initial_report_to_fda",
        YesNoUnknown::ALL,
        YesNoUnknown::code,
        YesNoUnknown::label,
    );

    assert_eq!(
        maude_code_description("device_operator", "0LP"),
        Some("LAY USER/PATIENT")
    );
    assert_eq!(
        maude_code_description("event_location", "606"),
        Some("CLINIC - WALK IN, OTHER")
    );
    assert_eq!(maude_code_description("device_operator", "*"), None);
}

/// Fields of the form that openFDA's device event schema has no field for; every other field
/// of the draft must carry openFDA's name.
const NOT_IN_OPENFDA: [&str; 26] = [
    "patient_identifier",
    "date_of_death",
    "event_description",
    "relevant_tests",
    "other_relevant_history",
    "manufacturer_d_address",
    "serial_number",
    "udi_di",
    "udi_public",
    "date_implanted",
    "date_explanted",
    "reprocessor",
    "concomitant_products",
    "name",
    "address",
    "phone",
    "email",
    "manufacturer_address",
    "manufacturer_contact",
    "pma_pmn_number",
    "report_timeframe",
    "follow_up_number",
    "follow_up_type",
    "manufacturer_evaluation_summary",
    "remedial_action_other",
    "additional_manufacturer_narrative",
];

/// H6's IMDRF code lists: openFDA publishes the decoded problem terms instead
/// (`product_problems`, `patient_problems`).
const H6_CODE_LISTS: [&str; 7] = [
    "device_problem_codes",
    "health_effect_clinical_codes",
    "health_effect_impact_codes",
    "evaluation_method_codes",
    "evaluation_result_codes",
    "evaluation_conclusion_codes",
    "component_codes",
];

fn schema_fields(schema: &serde_json::Value, into: &mut BTreeSet<String>) {
    if let Some(properties) = schema.get("properties").and_then(|p| p.as_object()) {
        for (name, sub) in properties {
            into.insert(name.clone());
            schema_fields(sub, into);
            if let Some(items) = sub.get("items") {
                schema_fields(items, into);
            }
        }
    }
}

#[test]
fn field_names_are_openfdas_where_openfda_has_the_field() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../data/deviceevent_schema.json")).unwrap();
    let mut openfda = BTreeSet::new();
    schema_fields(&schema, &mut openfda);

    let draft: serde_json::Value = serde_json::from_str(&pulsetherm_3500a().to_json()).unwrap();
    let mut named_like_openfda = 0;
    for (section, fields) in draft.as_object().unwrap() {
        for field in fields.as_object().unwrap().keys() {
            if openfda.contains(field) {
                named_like_openfda += 1;
            } else {
                assert!(
                    NOT_IN_OPENFDA.contains(&field.as_str())
                        || H6_CODE_LISTS.contains(&field.as_str()),
                    "{section}.{field} is neither an openFDA field name nor listed as missing there"
                );
            }
        }
    }
    assert_eq!(named_like_openfda, 38);
    for field in NOT_IN_OPENFDA.iter().chain(&H6_CODE_LISTS) {
        assert!(
            !openfda.contains(*field),
            "{field} is an openFDA field after all"
        );
    }
    for name in [
        "event_type",
        "type_of_report",
        "report_source_code",
        "source_type",
    ] {
        assert!(openfda.contains(name), "{name}");
    }
}

#[test]
fn validate_names_the_field_of_wrong_codes() {
    let mut report = pulsetherm_3500a();
    report.device_manufacturer.device_problem_codes = list(&["A1005", "G02002"]);
    report.device_manufacturer.evaluation_method_codes = list(&["B99"]);
    report.device_manufacturer.health_effect_impact_codes = list(&["E170405"]);
    report.device.device_report_product_code = s("gzj");
    report.device.device_operator = s("HEALTH PROFESSIONAL");
    report.initial_reporter.reporter_occupation_code = s("*");

    let problems: Vec<String> = report
        .validate(codes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "device_manufacturer.device_problem_codes[1]: `G02002` is not an IMDRF Annex A \
             (medical device problem) code; it is the Annex G (medical device component) term \
             \"Battery\"",
            "device_manufacturer.health_effect_impact_codes[0]: `E170405` is not an IMDRF Annex F \
             (health impact) code; it is the Annex E (clinical signs, symptoms and conditions) \
             term \"Partial thickness (Second Degree) Burn\"",
            "device_manufacturer.evaluation_method_codes[0]: `B99` is not an IMDRF Annex B (type \
             of investigation) code",
            "device.device_report_product_code: `gzj` is not an FDA product code (three capital \
             letters)",
            "device.device_operator: `HEALTH PROFESSIONAL` is not a MAUDE device_operator code",
            "initial_reporter.reporter_occupation_code: `*` is not a MAUDE reporter_occupation_code \
             code",
        ]
    );
}

#[test]
fn validate_checks_that_the_parts_agree() {
    let mut report = pulsetherm_3500a();
    report.device_manufacturer.event_type = Some(EventType::Death);
    report.manufacturer.follow_up_number = Some(1);
    report.device_manufacturer.follow_up_type = vec![FollowUpType::DeviceEvaluation];
    report.manufacturer.date_manufacturer_received = Some(date(2026, 4, 5));
    report.patient.patient_weight = Some(-3.0);

    let problems: Vec<String> = report
        .validate(codes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "event.sequence_number_outcome: the reportable event (H1) is a death but the outcome \
             Death is not checked",
            "manufacturer.follow_up_number: an initial report has no follow-up number",
            "device_manufacturer.follow_up_type: an initial report has no follow-up type",
            "manufacturer.date_manufacturer_received: 2026-04-05 is after event.date_report \
             (2026-04-03)",
            "patient.patient_weight: -3 is not a body weight in kg",
        ]
    );
}

#[test]
fn missing_follows_the_kind_of_report() {
    let empty = Fda3500aDraft::default();
    let missing = empty.missing();
    assert!(missing.contains(&"event.adverse_event_flag or event.product_problem_flag"));
    assert!(missing.contains(&"device.device_report_product_code"));
    assert!(
        !missing.contains(&"patient.patient_age"),
        "no adverse event yet"
    );
    assert!(!missing.contains(&"manufacturer.follow_up_number"));

    let mut follow_up = pulsetherm_3500a();
    follow_up.manufacturer.type_of_report = Some(TypeOfReport::Followup);
    follow_up.event.sequence_number_outcome.push(Outcome::Death);
    follow_up.device_manufacturer.remedial_action_other = None;
    assert_eq!(
        follow_up.missing(),
        [
            "event.date_of_death",
            "manufacturer.follow_up_number",
            "device_manufacturer.follow_up_type",
            "device_manufacturer.remedial_action_other",
        ]
    );
}

#[test]
fn snapshot_3500a_json() {
    insta::assert_snapshot!("fda_3500a_json", pulsetherm_3500a().to_json());
}
