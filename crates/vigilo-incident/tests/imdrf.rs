use vigilo_incident::{Annex, CodeError, codes};

/// The embedded files, read raw, to check the table against the data rather than against itself.
const RAW: [(Annex, &str); 7] = [
    (Annex::A, include_str!("../data/annexa2024_1.json")),
    (Annex::B, include_str!("../data/annexb_1.json")),
    (Annex::C, include_str!("../data/annexc_1.json")),
    (Annex::D, include_str!("../data/annexd_1.json")),
    (Annex::E, include_str!("../data/annexe_1.json")),
    (Annex::F, include_str!("../data/annexf_1.json")),
    (Annex::G, include_str!("../data/annexg_1.json")),
];

fn rows(json: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(json).expect("annex file is a JSON array")
}

#[test]
fn every_row_of_every_annex_loads_and_the_counts_match_sources_md() {
    // Rows per data/SOURCES.md; Annex E repeats a term once per branch it sits under.
    let expected_rows = [488, 24, 151, 41, 884, 66, 296];
    let expected_terms = [488, 24, 151, 41, 700, 66, 296];
    for (n, (annex, json)) in RAW.into_iter().enumerate() {
        let rows = rows(json);
        assert_eq!(rows.len(), expected_rows[n], "rows of Annex {annex}");
        assert_eq!(
            codes().terms(annex).len(),
            expected_terms[n],
            "distinct codes of Annex {annex}"
        );
        for row in &rows {
            let code = row["code"].as_str().unwrap();
            let term = codes().get(annex, code).unwrap_or_else(|| panic!("{code}"));
            assert_eq!(term.annex, annex);
            assert!(code.starts_with(&annex.to_string()), "{code}");
            let hierarchy = row
                .get("CodeHierarchy")
                .or_else(|| row.get("codehierarchy"))
                .and_then(|h| h.as_str())
                .unwrap();
            let parent = hierarchy.rsplit('|').nth(1).map(str::to_owned);
            assert!(
                term.parent == parent || parent.is_some_and(|p| term.also_under.contains(&p)),
                "{code} under {hierarchy}"
            );
        }
    }
}

#[test]
fn releases_are_the_newest_named_in_each_files_status_notes() {
    for (annex, json) in RAW {
        let newest = rows(json)
            .iter()
            .filter_map(|row| {
                let note = row
                    .get("Status Description")
                    .or_else(|| row.get("status description"))?
                    .as_str()?;
                let at = note.find("Release Number ")? + "Release Number ".len();
                note.get(at..at + 4)?.parse::<u16>().ok()
            })
            .max()
            .unwrap();
        assert_eq!(codes().release(annex), newest.to_string(), "Annex {annex}");
    }
    assert_eq!(codes().release(Annex::A), "2024");
}

#[test]
fn known_codes_read_as_in_the_json() {
    let t = codes().get(Annex::A, "A0601").unwrap();
    assert_eq!(t.term, "Misfocusing");
    assert_eq!(t.parent.as_deref(), Some("A06"));
    assert!(!t.retired && t.selectable);

    let t = codes().check(Annex::A, "A1005").unwrap();
    assert_eq!(t.term, "Overheating of Device");
    assert!(
        t.definition
            .starts_with("Problem associated with the device producing high temperatures"),
        "{}",
        t.definition
    );
    assert_eq!(codes().get(Annex::A, "A10").unwrap().parent, None);

    assert_eq!(codes().check(Annex::G, "G02002").unwrap().term, "Battery");
    assert_eq!(
        codes().check(Annex::B, "B01").unwrap().term,
        "Testing of Actual/Suspected Device"
    );
    assert_eq!(codes().check(Annex::F, "F02").unwrap().term, "Death");

    let brain_injury = codes().get(Annex::E, "E0102").unwrap();
    assert_eq!(brain_injury.parent.as_deref(), Some("E01"));
    assert_eq!(brain_injury.also_under, ["E20"]);
    // Of the two rows of E120501, the first carries the 2022 revision.
    assert_eq!(
        codes().get(Annex::E, "E120501").unwrap().term,
        "Elevated ketones/Diabetic Ketoacidosis"
    );
}

#[test]
fn unknown_and_wrong_annex_codes_are_refused_with_the_annex_named() {
    let err = codes().check(Annex::A, "A0299").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`A0299` is not an IMDRF Annex A (medical device problem) code"
    );
    assert!(codes().get(Annex::A, "A0299").is_none());
    assert!(codes().get(Annex::A, "a1005").is_none());

    let err = codes().check(Annex::A, "E0101").unwrap_err();
    assert!(matches!(
        err,
        CodeError::WrongAnnex {
            found: Annex::E,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "`E0101` is not an IMDRF Annex A (medical device problem) code; it is the Annex E \
         (clinical signs, symptoms and conditions) term \"Balance Problems\""
    );
}

#[test]
fn retired_and_heading_codes_are_refused() {
    let err = codes().check(Annex::A, "A071205").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`A071205` (Pacemaker Found in Back-Up Mode) is retired in release 2024 of IMDRF Annex A \
         (medical device problem)"
    );
    assert!(codes().get(Annex::A, "A071205").unwrap().retired);

    let err = codes().check(Annex::G, "G04081").unwrap_err();
    assert!(
        err.to_string().contains("is retired in release 2022"),
        "{err}"
    );

    let err = codes().check(Annex::E, "E01").unwrap_err();
    assert!(matches!(err, CodeError::NotSelectable { .. }));
    assert!(err.to_string().contains("category heading"), "{err}");

    let retired: Vec<_> = Annex::ALL
        .into_iter()
        .flat_map(|a| codes().terms(a))
        .filter(|t| t.retired)
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(retired, ["A071205", "G04081"]);
}

#[test]
fn search_finds_terms_first_then_definitions() {
    let hits: Vec<_> = codes()
        .search(Annex::A, "overheating")
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(hits.first(), Some(&"A1005"));

    let battery: Vec<_> = codes()
        .search(Annex::G, "BATTERY")
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(&battery[..2], ["G02002", "G02003"]);

    // Every word must match, so the battery itself drops out.
    let both: Vec<_> = codes()
        .search(Annex::G, "battery charger")
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(both.first(), Some(&"G02003"));
    assert!(!both.contains(&"G02002"));

    assert_eq!(codes().search(Annex::A, "a1005")[0].code, "A1005");
    assert!(codes().search(Annex::A, "   ").is_empty());
    assert!(codes().search(Annex::A, "xylophone").is_empty());
}

#[test]
fn annex_letters_parse_and_print() {
    for annex in Annex::ALL {
        assert_eq!(annex.to_string().parse::<Annex>().unwrap(), annex);
        assert_eq!(
            annex.to_string().to_lowercase().parse::<Annex>().unwrap(),
            annex
        );
    }
    assert!("H".parse::<Annex>().is_err());
    assert!("AB".parse::<Annex>().is_err());
}
