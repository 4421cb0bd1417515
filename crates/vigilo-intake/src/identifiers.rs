use std::ops::Range;

use serde::{Deserialize, Serialize};

/// A device identifier found in a complaint's text, as written there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Identifier {
    /// A GS1 UDI string, bracketed (`(01)…(21)…`) or unbracketed
    /// (`01` + GTIN followed by further AIs); shape-checked only.
    Udi(String),
    /// The value after a serial-number label such as `S/N` or `Seriennummer:`.
    Serial(String),
}

/// Finds UDIs and labelled serial numbers in a complaint's subject and body.
///
/// UDIs come first because they identify the device unambiguously; serials
/// follow. Each group is in text order, subject before body, without
/// duplicates. Unlabelled tokens are never guessed, and a serial value must
/// contain a digit so that "serial number unknown" yields nothing.
pub fn device_identifiers(subject: &str, body: &str) -> Vec<Identifier> {
    let mut udis = Vec::new();
    let mut serials = Vec::new();
    for text in [subject, body] {
        let spans = udi_spans(text);
        serials.extend(
            labelled_serials(text, &spans)
                .into_iter()
                .map(Identifier::Serial),
        );
        udis.extend(
            spans
                .into_iter()
                .map(|span| Identifier::Udi(text[span].to_owned())),
        );
    }
    let mut out: Vec<Identifier> = Vec::new();
    for id in udis.into_iter().chain(serials) {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Characters that may appear in an AI value as it is written in text; GS1's
/// full set also has punctuation, but that is far more often sentence text.
fn is_value_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'/' | b'_')
}

/// Sentence punctuation that ends a value rather than belonging to it.
fn trim_trailing(text: &str, mut end: usize, start: usize) -> usize {
    while end > start && matches!(text.as_bytes()[end - 1], b'.' | b',' | b';' | b':') {
        end -= 1;
    }
    end
}

fn digits_at(bytes: &[u8], at: usize, n: usize) -> bool {
    bytes.len() >= at + n && bytes[at..at + n].iter().all(u8::is_ascii_digit)
}

fn udi_spans(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let span = bracketed_udi(bytes, i).or_else(|| unbracketed_udi(bytes, i));
        match span {
            Some(end) => {
                let end = trim_trailing(text, end, i);
                spans.push(i..end);
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    spans
}

/// `(01)` + 14 digits, then any number of `(AI)value` groups.
fn bracketed_udi(bytes: &[u8], start: usize) -> Option<usize> {
    if !bytes[start..].starts_with(b"(01)") || !digits_at(bytes, start + 4, 14) {
        return None;
    }
    let mut end = start + 18;
    if bytes.get(end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    loop {
        let ai_len = (2..=4)
            .find(|&n| digits_at(bytes, end + 1, n) && bytes.get(end + 1 + n) == Some(&b')'));
        let Some(ai_len) = ai_len.filter(|_| bytes.get(end) == Some(&b'(')) else {
            return Some(end);
        };
        let value_start = end + ai_len + 2;
        let value_len = bytes[value_start..]
            .iter()
            .take_while(|&&b| is_value_byte(b))
            .count();
        if value_len == 0 {
            return Some(end);
        }
        end = value_start + value_len;
    }
}

/// AIs that, right after the GTIN, show a digit run is an unbracketed UDI and
/// not some other long number: the production identifiers of a UDI-PI.
const PI_AIS: [&[u8]; 4] = [b"10", b"11", b"17", b"21"];

/// `01` + 14 digits + a production-identifier AI, as one token; GS (0x1D)
/// separators between variable-length AIs are part of the token.
fn unbracketed_udi(bytes: &[u8], start: usize) -> Option<usize> {
    let at_boundary = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
    if !at_boundary || !bytes[start..].starts_with(b"01") || !digits_at(bytes, start + 2, 14) {
        return None;
    }
    let after_gtin = start + 16;
    if !PI_AIS.iter().any(|ai| bytes[after_gtin..].starts_with(ai)) {
        return None;
    }
    let len = bytes[after_gtin..]
        .iter()
        .take_while(|&&b| is_value_byte(b) || b == 0x1D)
        .count();
    // An AI with an empty value is not a UDI element.
    (len > 2).then_some(after_gtin + len)
}

/// Longest labels first so that `serial number` wins over `serial`.
const SERIAL_LABELS: [&str; 9] = [
    "serial number",
    "seriennummer",
    "serial no",
    "serial nr",
    "serial",
    "ser.-nr",
    "ser.nr",
    "s/n",
    "sn",
];

fn labelled_serials(text: &str, udi_spans: &[Range<usize>]) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let in_udi = udi_spans.iter().any(|span| span.contains(&i));
        let at_boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let label = SERIAL_LABELS.iter().find(|label| {
            let end = i + label.len();
            bytes.len() >= end
                && bytes[i..end].eq_ignore_ascii_case(label.as_bytes())
                && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
        });
        let (Some(label), false, true) = (label, in_udi, at_boundary) else {
            i += 1;
            continue;
        };
        let mut v = i + label.len();
        let skip_blanks = |mut v: usize| {
            while bytes.get(v).is_some_and(|&b| b == b' ' || b == b'\t') {
                v += 1;
            }
            v
        };
        v = skip_blanks(v);
        if bytes
            .get(v)
            .is_some_and(|&b| matches!(b, b':' | b'#' | b'.' | b'='))
        {
            v = skip_blanks(v + 1);
        }
        let len = bytes[v..].iter().take_while(|&&b| is_value_byte(b)).count();
        let end = trim_trailing(text, v + len, v);
        let value = &text[v..end];
        let plausible = value
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && value.bytes().any(|b| b.is_ascii_digit());
        if plausible {
            found.push(value.to_owned());
            i = end;
        } else {
            i += label.len();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udi(s: &str) -> Identifier {
        Identifier::Udi(s.to_owned())
    }
    fn serial(s: &str) -> Identifier {
        Identifier::Serial(s.to_owned())
    }

    #[test]
    fn bracketed_udi_then_serials_in_confidence_order() {
        let ids = device_identifiers(
            "Pump alarm, S/N PX-2291",
            "Label reads (01)04012345678901(17)271231(10)LOT42(21)SN-0042.\nSerial: PX-2291",
        );
        assert_eq!(
            ids,
            [
                udi("(01)04012345678901(17)271231(10)LOT42(21)SN-0042"),
                serial("PX-2291"),
            ]
        );
    }

    #[test]
    fn unbracketed_udi_with_group_separator() {
        let ids = device_identifiers("", "scan: 010401234567890117271231\u{1d}10LOT42, ok");
        assert_eq!(ids, [udi("010401234567890117271231\u{1d}10LOT42")]);
    }

    #[test]
    fn plain_long_numbers_are_not_udis() {
        assert!(device_identifiers("", "Call 0104012345678901 or 01040123456789019999").is_empty());
        assert!(device_identifiers("", "order 9901040123456789011710").is_empty());
    }

    #[test]
    fn bracketed_udi_di_only_is_kept() {
        assert_eq!(
            device_identifiers("(01)04012345678901", ""),
            [udi("(01)04012345678901")]
        );
    }

    #[test]
    fn every_documented_label_is_recognised() {
        let body = "Serial: A1\nSerial number B2\nS/N C3\nSN: D4\nSN E5\n\
                    Seriennummer: F6\nserial no. G7\nSERIAL NUMBER: H8";
        let ids = device_identifiers("", body);
        let want: Vec<_> = ["A1", "B2", "C3", "D4", "E5", "F6", "G7", "H8"]
            .into_iter()
            .map(serial)
            .collect();
        assert_eq!(ids, want);
    }

    #[test]
    fn labels_inside_words_or_without_digits_are_ignored() {
        let ids = device_identifiers("Snow on the serials", "serial number unknown; ASN 1234");
        assert!(ids.is_empty(), "{ids:?}");
    }

    #[test]
    fn duplicates_across_subject_and_body_collapse() {
        let ids = device_identifiers("SN 77-A", "sn: 77-A and SN 78-B");
        assert_eq!(ids, [serial("77-A"), serial("78-B")]);
    }
}
