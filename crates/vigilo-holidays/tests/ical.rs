use jiff::civil::{Date, date};
use vigilo_holidays::{ImportedHoliday, parse_holiday_ical};

fn dates(text: &str, until: i16) -> Vec<Date> {
    parse_holiday_ical(text, "test.ics", "DE", until)
        .unwrap()
        .into_iter()
        .map(|h| h.date)
        .collect()
}

fn error(text: &str) -> String {
    parse_holiday_ical(text, "test.ics", "DE", 2030)
        .unwrap_err()
        .to_string()
}

/// One VEVENT with the given lines, in a calendar; the event's lines start at line 4.
fn event(lines: &str) -> String {
    format!("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\n{lines}\nEND:VEVENT\nEND:VCALENDAR\n")
}

#[test]
fn an_exported_organisation_calendar() {
    let text = include_str!("data/organisation.ics");
    let expected = [
        ((2024, 6, 14), "Gründungstag"),
        ((2026, 2, 16), "Rosenmontag (halber Tag frei)"),
        ((2026, 6, 14), "Gründungstag"),
        ((2026, 9, 3), "Standortschließung (Inventur)"),
        ((2026, 9, 4), "Standortschließung (Inventur)"),
        (
            (2026, 12, 28),
            "Betriebsruhe zwischen den Jahren, Werk Freiburg",
        ),
        (
            (2026, 12, 29),
            "Betriebsruhe zwischen den Jahren, Werk Freiburg",
        ),
        (
            (2026, 12, 30),
            "Betriebsruhe zwischen den Jahren, Werk Freiburg",
        ),
        ((2027, 6, 14), "Gründungstag"),
    ]
    .map(|((y, m, d), name)| ImportedHoliday {
        country: "DE".into(),
        date: date(y, m, d),
        name: name.into(),
    });
    assert_eq!(
        parse_holiday_ical(text, "organisation.ics", "de", 2027).unwrap(),
        expected
    );
    // The same file as RFC 5545 writes it, with CRLF line ends.
    let crlf = text.replace('\n', "\r\n");
    assert_eq!(
        parse_holiday_ical(&crlf, "organisation.ics", "DE", 2027).unwrap(),
        expected
    );
}

#[test]
fn yearly_rules_with_count_until_and_ordinal_weekdays() {
    let thanksgiving = event(
        "DTSTART;VALUE=DATE:20251127\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=3\nSUMMARY:Thanksgiving",
    );
    assert_eq!(
        dates(&thanksgiving, 2040),
        [date(2025, 11, 27), date(2026, 11, 26), date(2027, 11, 25)]
    );

    let memorial = event(
        "DTSTART;VALUE=DATE:20250526\nRRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO;UNTIL=20271231T235959Z\nSUMMARY:Memorial Day",
    );
    assert_eq!(
        dates(&memorial, 2040),
        [date(2025, 5, 26), date(2026, 5, 25), date(2027, 5, 31)]
    );

    let year_end = event(
        "DTSTART;VALUE=DATE:20251231\nRRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1\nSUMMARY:Year end",
    );
    assert_eq!(
        dates(&year_end, 2026),
        [date(2025, 12, 31), date(2026, 12, 31)]
    );

    let leap = event("DTSTART;VALUE=DATE:20240229\nRRULE:FREQ=YEARLY\nSUMMARY:Leap day");
    assert_eq!(dates(&leap, 2029), [date(2024, 2, 29), date(2028, 2, 29)]);

    let biennial = event(
        "DTSTART;VALUE=DATE:20250501\nRRULE:FREQ=YEARLY;INTERVAL=2\nRDATE;VALUE=DATE:20260302\nSUMMARY:Works council day",
    );
    assert_eq!(
        dates(&biennial, 2028),
        [date(2025, 5, 1), date(2026, 3, 2), date(2027, 5, 1)]
    );
}

#[test]
fn durations_and_date_time_ends() {
    let three_days = event("DTSTART;VALUE=DATE:20260803\nDURATION:P3D\nSUMMARY:Summer shutdown");
    assert_eq!(
        dates(&three_days, 2026),
        [date(2026, 8, 3), date(2026, 8, 4), date(2026, 8, 5)]
    );
    let afternoon =
        event("DTSTART:20261224T120000\nDTEND:20261224T170000\nSUMMARY:Christmas Eve afternoon");
    assert_eq!(dates(&afternoon, 2026), [date(2026, 12, 24)]);
    let over_midnight = event("DTSTART:20261231T200000Z\nDTEND:20270101T020000Z\nSUMMARY:Party");
    assert_eq!(
        dates(&over_midnight, 2026),
        [date(2026, 12, 31), date(2027, 1, 1)]
    );
}

#[test]
fn unsupported_rules_are_errors_naming_the_line() {
    assert_eq!(
        error(&event(
            "DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=MONTHLY;BYMONTHDAY=1\nSUMMARY:Payday"
        )),
        "test.ics line 5: expected an RRULE with FREQ=YEARLY and only INTERVAL, COUNT or UNTIL, BYMONTH, \
         BYMONTHDAY, BYDAY with an ordinal, WKST, found `RRULE:FREQ=MONTHLY;BYMONTHDAY=1`"
    );
    for rule in [
        "FREQ=YEARLY;BYMONTH=11;BYDAY=TH",
        "FREQ=YEARLY;BYDAY=1MO",
        "FREQ=YEARLY;BYSETPOS=1",
        "FREQ=YEARLY;COUNT=2;UNTIL=20300101",
        "FREQ=YEARLY;BYMONTH=13",
    ] {
        let text = event(&format!(
            "DTSTART;VALUE=DATE:20260101\nSUMMARY:X\nRRULE:{rule}"
        ));
        assert!(
            error(&text).starts_with("test.ics line 6: expected an RRULE"),
            "{rule}"
        );
    }
}

#[test]
fn malformed_calendars_are_errors_naming_the_line() {
    assert_eq!(
        error("country,date,name\n"),
        "test.ics line 1: expected BEGIN:VCALENDAR, found `country,date,name`"
    );
    assert_eq!(
        error(&event("SUMMARY:No date")),
        "test.ics line 5: expected a DTSTART in the VEVENT before, found `END:VEVENT`"
    );
    assert_eq!(
        error(&event("DTSTART;VALUE=DATE:20260101")),
        "test.ics line 5: expected a SUMMARY naming the holiday in the VEVENT before, found `END:VEVENT`"
    );
    assert_eq!(
        error(&event("DTSTART;VALUE=DATE:20261301\nSUMMARY:X")),
        "test.ics line 4: expected a date YYYYMMDD or date-time YYYYMMDDTHHMMSS, found `DTSTART;VALUE=DATE:20261301`"
    );
    assert_eq!(
        error(&event("DTSTART;VALUE=DATE:20260101T100000\nSUMMARY:X")),
        "test.ics line 4: expected a date YYYYMMDD or date-time YYYYMMDDTHHMMSS, found `DTSTART;VALUE=DATE:20260101T100000`"
    );
    assert_eq!(
        error(&event(
            "DTSTART;VALUE=DATE:20260105\nDTEND;VALUE=DATE:20260101\nSUMMARY:X"
        )),
        "test.ics line 5: expected a DTEND after DTSTART, found `2026-01-01`"
    );
    assert_eq!(
        error(&event(
            "DTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20290101\nSUMMARY:X"
        )),
        "test.ics line 5: expected an event of at most 366 days, found `1096 days`"
    );
    assert_eq!(
        error(&event(
            "DTSTART;VALUE=DATE:20260101\nDURATION:PT8H\nSUMMARY:X"
        )),
        "test.ics line 5: expected a DURATION of whole days or weeks (PnD or PnW), found `DURATION:PT8H`"
    );
    assert_eq!(
        error(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nSUMMARY:X\nEND:VCALENDAR\n"
        ),
        "test.ics line 5: expected END:VEVENT, found `END:VCALENDAR`"
    );
    assert_eq!(
        error(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nSUMMARY:X\nEND:VEVENT\n"
        ),
        "test.ics line 5: expected END:VCALENDAR, found `the end of the file`"
    );
    assert_eq!(
        error("BEGIN:VCALENDAR\nthis is not a property\nEND:VCALENDAR\n"),
        "test.ics line 2: expected a content line NAME:VALUE, found `this is not a property`"
    );
}

#[test]
fn an_error_after_folded_lines_names_the_physical_line() {
    let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:A long\n  name\n  folded twice\nDTSTART:2026\nEND:VEVENT\nEND:VCALENDAR\n";
    assert!(error(text).starts_with("test.ics line 6: expected a date"));
}

#[test]
fn quoted_parameters_may_hold_colons_and_semicolons() {
    let text = event(
        "DTSTART;TZID=\"GMT+01:00; Amsterdam\":20260427T000000\nSUMMARY;ALTREP=\"http://example.invalid/a;b\":King's Day",
    );
    let holidays = parse_holiday_ical(&text, "test.ics", "nl", 2026).unwrap();
    assert_eq!(
        holidays,
        [ImportedHoliday {
            country: "NL".into(),
            date: date(2026, 4, 27),
            name: "King's Day".into()
        }]
    );
}
