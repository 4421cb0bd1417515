use jiff::civil::Date;
use proptest::prelude::*;
use vigilo_udi::{Udi, parse};

/// Mod-10 written independently of the crate: for a 13-digit body the
/// leftmost digit sits at an odd distance from the check digit, so weight 3.
fn with_check_digit(body: &[u8]) -> String {
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    let check = (10 - sum % 10) % 10;
    body.iter()
        .map(|d| char::from(b'0' + d))
        .chain(char::from_digit(check, 10))
        .collect()
}

fn gtin() -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..=9, 13).prop_map(|body| with_check_digit(&body))
}

fn cs82_text() -> impl Strategy<Value = String> {
    "[!\"%&'()*+,\\-./0-9:;<=>?A-Z_a-z]{1,20}"
}

/// A date whose two-digit year resolves back to itself: the GS1 window runs
/// from 49 years before to 50 years after the reference year.
fn date_in_window(reference_year: i16) -> impl Strategy<Value = Date> {
    (-49i16..=50, 1i8..=12, 1i8..=31).prop_map(move |(offset, month, day)| {
        let first = Date::new(reference_year + offset, month, 1).unwrap();
        first
            .with()
            .day(day.min(first.days_in_month()))
            .build()
            .unwrap()
    })
}

fn udi_with_reference_year() -> impl Strategy<Value = (Udi, i16)> {
    (-9000i16..=9000).prop_flat_map(|reference_year| {
        (
            gtin(),
            prop::option::of(cs82_text()),
            prop::option::of(cs82_text()),
            prop::option::of(date_in_window(reference_year)),
            prop::option::of(date_in_window(reference_year)),
        )
            .prop_map(move |(gtin, serial, lot, manufactured, expiry)| {
                let udi = Udi {
                    gtin,
                    serial,
                    lot,
                    manufactured,
                    expiry,
                };
                (udi, reference_year)
            })
    })
}

/// Fragments that reach deep into the parser far more often than random text.
fn udi_like_noise() -> impl Strategy<Value = String> {
    let pieces = vec![
        "(01)",
        "(10)",
        "(11)",
        "(17)",
        "(21)",
        "(99)",
        "(",
        ")",
        "\\(",
        "\\",
        "01",
        "10",
        "11",
        "17",
        "21",
        "09506000134352",
        "201225",
        "000000",
        "991399",
        "0",
        "9",
        "\u{1d}",
        "]d2",
        "]C1",
        "]",
        " ",
        "\r\n",
        "é",
        "日",
        "A",
        "#",
        "ABCDEFGHIJ0123456789",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..12).prop_map(|p| p.concat())
}

fn assert_no_panic_and_position_in_range(input: &str, reference_year: i16) {
    if let Err(error) = parse(input, reference_year) {
        let len = input.chars().count();
        assert!(
            (1..=len + 1).contains(&error.position),
            "{input:?}: {error}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn hri_round_trips((udi, reference_year) in udi_with_reference_year()) {
        prop_assert_eq!(parse(&udi.to_hri(), reference_year), Ok(udi));
    }

    #[test]
    fn element_string_round_trips((udi, reference_year) in udi_with_reference_year()) {
        let scanned = udi.to_element_string();
        prop_assert_eq!(parse(&scanned, reference_year), Ok(udi.clone()));
        prop_assert_eq!(parse(&format!("]d2{scanned}"), reference_year), Ok(udi));
    }

    #[test]
    fn parse_never_panics_on_arbitrary_text(input in any::<String>(), year in any::<i16>()) {
        assert_no_panic_and_position_in_range(&input, year);
    }

    #[test]
    fn parse_never_panics_on_udi_like_text(input in udi_like_noise(), year in any::<i16>()) {
        assert_no_panic_and_position_in_range(&input, year);
    }
}
