//! Runs the mail readers on real third-party messages (see tests/data/mail/SOURCES.md).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use vigilo_intake::{
    Identifier, IntakeError, MailMessage, MailSource, detect_mail_source, device_identifiers,
    read_mail, read_mail_as,
};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/mail")
        .join(rel)
}

fn one(rel: &str) -> MailMessage {
    let mut all = read_mail(&data(rel)).expect("source readable");
    assert_eq!(all.len(), 1);
    all.remove(0).expect("message parses")
}

// The decoded attachments' SHA-256 as CPython's `email` package gives them
// (`part.get_payload(decode=True)` under `email.policy.default`, Python 3.11):
// an independent decoder of the same messages.
const DINGUSFISH_GIF_SHA256: &str =
    "354288075c6cd6c6a99180ef60b99f599b4e3d6c28bd67c29adc736079e52a84";
const CLOCK_BMP_SHA256: &str = "f1b36bdbda075cf92ac9d12a486c4c8f816eca385f190f733fb23213497cef04";
const ALARM_PDF_SHA256: &str = "d009639f2187c44b0fa8838f659b03ac0d0a54cbfcda6b36ae9c54c2e564d06f";

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn ts(s: &str) -> Option<jiff::Timestamp> {
    Some(s.parse().unwrap())
}

#[test]
fn rfc2231_extended_parameters_are_decoded() {
    // `boundary*="ansi-x3.4-1968''EeQf…"`: the parts are only found if the RFC 2231
    // charset prefix is stripped from the boundary.
    let m = one("eml/python-msg_33.eml");
    assert_eq!(
        m.subject.as_deref(),
        Some("Re: Limiting Perl CPU Utilization...")
    );
    assert_eq!(m.from.as_deref(), Some("Anne Person <aperson@example.com>"));
    assert_eq!(m.date, ts("2000-09-27T16:11:09Z"));
    assert!(m.message_id.starts_with("sha256:"), "no Message-ID header");
    assert!(m.body_text.contains("part 1"), "{:?}", m.body_text);
    assert!(m.body_text.contains("part 2"), "{:?}", m.body_text);
    assert!(!m.body_text.contains("EeQfGwPcQSOJBaQU"), "boundary leaked");
    assert!(m.attachments.is_empty());
}

#[test]
fn iso_8859_1_q_encoded_word_is_decoded() {
    // No PSF- or MIT-licensed real message here has an ISO-8859-1 Q-encoded subject;
    // the project's own message has one in its sender name.
    let m = one("eml/vigilo-udi-de.eml");
    assert_eq!(
        m.from.as_deref(),
        Some("Jürgen Weiß <j.weiss@klinik.example>")
    );
}

#[test]
fn multipart_alternative_quoted_printable_prefers_plain_text() {
    let m = one("eml/python-msg_15.eml");
    assert_eq!(m.message_id, "xxxx");
    assert_eq!(m.body_text, "Some removed test.\n");
    assert!(
        !m.body_text.contains('<'),
        "HTML alternative must not leak in"
    );
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].name.as_deref(), Some("xx.gif"));
    assert_eq!(m.attachments[0].content_type, "image/gif");
}

#[test]
fn crlf_base64_attachment_is_named_from_content_disposition() {
    // Content-Type says `name="clock.bmp,69c"`, Content-Disposition `filename="clock.bmp"`.
    let m = one("eml/python-msg_26.eml");
    assert_eq!(m.subject.as_deref(), Some("IMAP file test"));
    assert_eq!(m.message_id, "6df65d354b.father.time@rpc.wooster.local");
    assert_eq!(m.date, ts("2002-05-12T07:56:15Z"));
    assert_eq!(m.body_text, "Simple email with attachment.\r\n\r\n");
    let [a] = &m.attachments[..] else {
        panic!("one attachment: {:?}", m.attachments)
    };
    assert_eq!(
        (a.name.as_deref(), a.content_type.as_str()),
        (Some("clock.bmp"), "application/riscos")
    );
    assert_eq!(
        (a.content.len(), sha256(&a.content)),
        (630, CLOCK_BMP_SHA256.to_owned())
    );
}

#[test]
fn base64_attachment_size_is_decoded_size() {
    let m = one("eml/python-msg_07.eml");
    assert_eq!(m.subject.as_deref(), Some("Here is your dingus fish"));
    assert_eq!(m.body_text, "Hi there,\n\nThis is the dingus fish.\n");
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].name.as_deref(), Some("dingusfish.gif"));
    assert_eq!(m.attachments[0].content_type, "image/gif");
    let gif = &m.attachments[0].content;
    assert_eq!(
        (gif.len(), sha256(gif)),
        (3512, DINGUSFISH_GIF_SHA256.to_owned())
    );
}

#[test]
fn all_text_parts_are_decoded_and_joined() {
    let m = one("eml/python-msg_10.eml");
    assert!(m.body_text.contains("This is a 7bit encoded message."));
    assert!(
        m.body_text
            .contains("¡This is a Quoted Printable encoded message!")
    );
    assert!(m.body_text.contains("This is a Base64 encoded message."));
}

#[test]
fn utf8_base64_subject_and_synthetic_stable_id() {
    let m = one("eml/dovecot-010.eml");
    assert_eq!(m.subject.as_deref(), Some("こんにちは"));
    assert_eq!(m.body_text, "人権の無視及");
    let raw = std::fs::read(data("eml/dovecot-010.eml")).unwrap();
    use sha2::Digest;
    let want = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&raw)));
    assert_eq!(m.message_id, want);
    assert_eq!(
        one("eml/dovecot-010.eml").message_id,
        want,
        "re-import same id"
    );
    assert_eq!(m.from, None);
    assert_eq!(m.date, None);
}

#[test]
fn german_base64_body_with_udi_and_pdf() {
    let m = one("eml/vigilo-udi-de.eml");
    assert_eq!(
        m.subject.as_deref(),
        Some("Störung Infusionspumpe – Okklusionsalarm")
    );
    assert_eq!(
        m.from.as_deref(),
        Some("Jürgen Weiß <j.weiss@klinik.example>")
    );
    assert_eq!(m.date, ts("2026-03-03T08:15:00Z"));
    assert!(m.body_text.contains("Mit freundlichen Grüßen"));
    let [a] = &m.attachments[..] else {
        panic!("one attachment: {:?}", m.attachments)
    };
    assert_eq!(
        (a.name.as_deref(), a.content_type.as_str()),
        (Some("Alarmprotokoll.pdf"), "application/pdf")
    );
    assert_eq!(
        (a.content.len(), sha256(&a.content)),
        (193, ALARM_PDF_SHA256.to_owned())
    );
    assert!(a.content.starts_with(b"%PDF-"));
    assert_eq!(
        device_identifiers(m.subject.as_deref().unwrap(), &m.body_text),
        [Identifier::Udi(
            "(01)04012345678901(17)271231(10)LOT42(21)SN-0042".into()
        )]
    );
}

#[test]
fn serial_in_subject_and_quoted_printable_body() {
    let m = one("eml/vigilo-serial-subject.eml");
    assert!(m.body_text.contains("20 minutes – device"));
    assert_eq!(
        device_identifiers(m.subject.as_deref().unwrap(), &m.body_text),
        [Identifier::Serial("PX-2291".into())]
    );
}

#[test]
fn detection_follows_the_shape_of_the_path() {
    let kind = |rel: &str| detect_mail_source(&data(rel)).unwrap();
    assert_eq!(kind("inbox.mbox"), MailSource::Mbox);
    assert_eq!(kind("Maildir"), MailSource::Maildir);
    assert_eq!(kind("eml"), MailSource::EmlDir);
    assert_eq!(kind("eml/python-msg_07.eml"), MailSource::Eml);
}

#[test]
fn mbox_reports_message_number_and_line_and_keeps_going() {
    let all = read_mail(&data("inbox.mbox")).unwrap();
    let mbox = data("inbox.mbox").display().to_string();
    let places: Vec<String> = all
        .iter()
        .map(|r| match r {
            Ok(m) => m.place.clone(),
            Err(e) => e.place().to_owned(),
        })
        .collect();
    assert_eq!(
        places,
        [1, 42, 73, 77]
            .iter()
            .enumerate()
            .map(|(i, line)| format!("{mbox} message {} (line {line})", i + 1))
            .collect::<Vec<_>>()
    );
    let err = all[2].as_ref().unwrap_err();
    assert!(matches!(err, IntakeError::Invalid { .. }));
    assert!(
        err.to_string().contains("expected an RFC 5322 message"),
        "{err}"
    );
    let subjects: Vec<_> = all
        .iter()
        .filter_map(|r| r.as_ref().ok()?.subject.clone())
        .collect();
    assert_eq!(
        subjects,
        [
            "Lyrics",
            "Re: Limiting Perl CPU Utilization...",
            "Complaint: display flicker, SN: PX-2291"
        ]
    );
}

#[test]
fn maildir_reads_cur_and_new_in_name_order() {
    let all = read_mail(&data("Maildir")).unwrap();
    let names: Vec<String> = all
        .into_iter()
        .map(|r| {
            let m = r.unwrap();
            let file = Path::new(&m.place).file_name().unwrap();
            file.to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "1772445600.M1P100.vigilo:2,S",
            "1772526900.M2P100.vigilo:2,RS",
            "1772530000.M3P100.vigilo"
        ]
    );
}

#[test]
fn eml_directory_is_read_in_name_order() {
    let all = read_mail(&data("eml")).unwrap();
    let files: Vec<String> = all
        .into_iter()
        .map(|r| {
            let place = r.unwrap().place;
            Path::new(&place)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert_eq!(files.len(), 8);
}

#[test]
fn text_without_headers_is_an_error_naming_the_file() {
    let all = read_mail(&data("not-a-message.txt")).unwrap();
    let err = all[0].as_ref().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: expected an RFC 5322 message (header fields, a blank line, a body), \
             found no header fields",
            data("not-a-message.txt").display()
        )
    );
}

#[test]
fn empty_or_missing_sources_are_errors() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mail-empty");
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.mbox");
    std::fs::write(&empty, b"").unwrap();
    let err = read_mail_as(&empty, MailSource::Mbox).unwrap_err();
    assert!(err.to_string().contains("found an empty file"), "{err}");
    let err = read_mail(&empty).unwrap().remove(0).unwrap_err();
    assert!(err.to_string().contains("found no content"), "{err}");

    let err = read_mail(&dir.join("missing")).unwrap_err();
    assert!(matches!(err, IntakeError::Read { .. }), "{err}");

    let no_eml = dir.join("no-eml");
    std::fs::create_dir_all(&no_eml).unwrap();
    let err = read_mail(&no_eml).unwrap_err();
    assert!(
        err.to_string().contains("a directory of .eml files"),
        "{err}"
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    for raw in [
        &b""[..],
        b"\xff\xfe\x00",
        b"From: \r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=x\n\n--x\n--x--",
    ] {
        let _ = vigilo_intake::parse_message("probe".into(), raw);
    }
}
