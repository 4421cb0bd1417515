//! iCalendar (RFC 5545) holiday calendars, as exported by calendar programs and
//! published by authorities: all-day VEVENTs, possibly spanning days, possibly
//! recurring every year.
//!
//! Hand-written: only VEVENT dates, summaries and yearly recurrence matter here,
//! and an error must name the file's line, which the iCalendar crates do not keep.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use crate::files::{HolidayFileError, ImportedHoliday, date_from_digits};

/// An event longer than this is taken for a mistake (a DTEND a decade out) rather
/// than expanded into thousands of holidays.
const MAX_EVENT_DAYS: i64 = 366;

/// Reads an iCalendar file: every VEVENT yields a holiday named by its SUMMARY on
/// the date of its DTSTART (a date, or a date-time whose date is taken as written,
/// whatever its zone), and on each further day up to its exclusive DTEND or its
/// DURATION in whole days or weeks. RRULE FREQ=YEARLY, with INTERVAL, COUNT or
/// UNTIL, BYMONTH, BYMONTHDAY and BYDAY with an ordinal (e.g. `BYMONTH=11;BYDAY=4TH`),
/// is expanded up to and including `expand_until_year`; RDATE adds occurrences and
/// EXDATE removes them; cancelled events are skipped. Folded lines are unfolded.
/// Anything else in a recurrence rule is an error naming its line. The holidays
/// come sorted by date; `country` is their country, upper-cased.
pub fn parse_holiday_ical(
    text: &str,
    source: &str,
    country: &str,
    expand_until_year: i16,
) -> Result<Vec<ImportedHoliday>, HolidayFileError> {
    let error = |line: usize, expected: &str, found: &str| {
        HolidayFileError::new(source, line, expected, found)
    };
    let lines = unfold(text);
    match lines.first() {
        Some(first) if first.text.eq_ignore_ascii_case("BEGIN:VCALENDAR") => {}
        first => {
            let (line, found) = first.map_or((1, ""), |l| (l.number, l.text.as_str()));
            return Err(error(line, "BEGIN:VCALENDAR", found));
        }
    }

    let country = country.to_ascii_uppercase();
    let mut holidays = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut event: Option<Event> = None;
    for line in &lines {
        let property = Property::parse(&line.text)
            .ok_or_else(|| error(line.number, "a content line NAME:VALUE", &line.text))?;
        if property.name == "BEGIN" {
            let component = property.value.to_ascii_uppercase();
            if component == "VEVENT" && open.last().is_some_and(|c| c == "VCALENDAR") {
                event = Some(Event::default());
            }
            open.push(component);
            continue;
        }
        if property.name == "END" {
            let component = property.value.to_ascii_uppercase();
            match open.pop() {
                Some(open_component) if open_component == component => {}
                Some(open_component) => {
                    return Err(error(
                        line.number,
                        &format!("END:{open_component}"),
                        &line.text,
                    ));
                }
                None => {
                    return Err(error(
                        line.number,
                        "nothing after the end of the calendar",
                        &line.text,
                    ));
                }
            }
            if component == "VEVENT"
                && let Some(finished) = event.take()
            {
                let occurrences =
                    finished.holidays(line.number, &line.text, expand_until_year, &error)?;
                holidays.extend(occurrences.into_iter().map(|(date, name)| ImportedHoliday {
                    country: country.clone(),
                    date,
                    name,
                }));
            }
            continue;
        }
        // Only the event's own properties: a VALARM inside it has its own SUMMARY,
        // and a VTIMEZONE its own DTSTART.
        let Some(event) = event
            .as_mut()
            .filter(|_| open.last().is_some_and(|c| c == "VEVENT"))
        else {
            continue;
        };
        let number = line.number;
        let bad = |expected: &str| error(number, expected, &line.text);
        match property.name.as_str() {
            "SUMMARY" => event.summary = Some(unescape(&property.value)),
            "DTSTART" => {
                let when = property
                    .when()
                    .ok_or_else(|| bad("a date YYYYMMDD or date-time YYYYMMDDTHHMMSS"))?;
                event.start = Some((when.date(), number));
            }
            "DTEND" => {
                let when = property
                    .when()
                    .ok_or_else(|| bad("a date YYYYMMDD or date-time YYYYMMDDTHHMMSS"))?;
                event.end = Some((when, number));
            }
            "DURATION" => {
                let days = whole_days(&property.value)
                    .ok_or_else(|| bad("a DURATION of whole days or weeks (PnD or PnW)"))?;
                event.duration = Some((days, number));
            }
            "RRULE" => {
                let rule = YearlyRule::parse(&property.value).ok_or_else(|| {
                    bad("an RRULE with FREQ=YEARLY and only INTERVAL, COUNT or UNTIL, BYMONTH, BYMONTHDAY, BYDAY with an ordinal, WKST")
                })?;
                event.rule = Some(rule);
            }
            "RDATE" | "EXDATE" => {
                let dates = property
                    .dates()
                    .ok_or_else(|| bad("a list of dates YYYYMMDD or date-times"))?;
                if property.name == "RDATE" {
                    event.extra_dates.extend(dates);
                } else {
                    event.excluded_dates.extend(dates);
                }
            }
            "STATUS" => event.cancelled = property.value.eq_ignore_ascii_case("CANCELLED"),
            _ => {}
        }
    }
    if let Some(component) = open.last() {
        let last = lines.last().map_or(0, |l| l.number);
        return Err(error(
            last,
            &format!("END:{component}"),
            "the end of the file",
        ));
    }
    holidays.sort_by_key(|h| h.date);
    Ok(holidays)
}

/// A logical line, and the physical line it starts on.
struct Line {
    number: usize,
    text: String,
}

/// RFC 5545 §3.1: a line starting with a space or tab continues the previous one.
fn unfold(text: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let raw = raw.trim_start_matches('\u{feff}');
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(continued), Some(previous)) => previous.text.push_str(continued),
            _ if raw.trim().is_empty() => {}
            _ => lines.push(Line {
                number: index + 1,
                text: raw.to_owned(),
            }),
        }
    }
    lines
}

struct Property {
    /// Upper case.
    name: String,
    /// Parameter names upper case, values unquoted.
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    /// NAME;PARAM=VALUE;PARAM="QUOTED:VALUE":VALUE
    fn parse(line: &str) -> Option<Property> {
        let mut quoted = false;
        let mut split = None;
        for (i, c) in line.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ':' if !quoted => {
                    split = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let (head, value) = line.split_at(split?);
        let mut parts = split_unquoted(head, ';').into_iter();
        let name = parts.next()?.trim().to_ascii_uppercase();
        if name.is_empty() {
            return None;
        }
        let params = parts
            .map(|p| {
                let (key, value) = p.split_once('=').unwrap_or((p, ""));
                (
                    key.trim().to_ascii_uppercase(),
                    value.trim_matches('"').to_owned(),
                )
            })
            .collect();
        Some(Property {
            name,
            params,
            value: value[1..].trim().to_owned(),
        })
    }

    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn when(&self) -> Option<When> {
        let when = When::parse(&self.value)?;
        let is_date = matches!(when, When::Date(_));
        match self.param("VALUE").map(str::to_ascii_uppercase).as_deref() {
            Some("DATE") if !is_date => None,
            Some("DATE-TIME") if is_date => None,
            Some("DATE" | "DATE-TIME") | None => Some(when),
            Some(_) => None,
        }
    }

    fn dates(&self) -> Option<Vec<Date>> {
        if self
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"))
        {
            return None;
        }
        self.value
            .split(',')
            .map(|v| When::parse(v.trim()).map(When::date))
            .collect()
    }
}

fn split_unquoted(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

#[derive(Clone, Copy)]
enum When {
    Date(Date),
    /// The date as written, and whether the time is midnight.
    DateTime(Date, bool),
}

impl When {
    fn parse(value: &str) -> Option<When> {
        let (day, time) = match value.split_once(['T', 't']) {
            Some((day, time)) => (day, Some(time.strip_suffix(['Z', 'z']).unwrap_or(time))),
            None => (value, None),
        };
        if day.len() != 8 {
            return None;
        }
        let date = date_from_digits(&day[0..4], &day[4..6], &day[6..8])?;
        match time {
            None => Some(When::Date(date)),
            Some(time) => {
                let digits = time.len() == 6 && time.bytes().all(|b| b.is_ascii_digit());
                let (h, m, s) = (time.get(0..2)?, time.get(2..4)?, time.get(4..6)?);
                let valid = digits && h < "24" && m < "60" && s <= "60";
                valid.then_some(When::DateTime(date, time == "000000"))
            }
        }
    }

    fn date(self) -> Date {
        match self {
            When::Date(date) | When::DateTime(date, _) => date,
        }
    }

    /// The last day an event ending here covers: DTEND is exclusive, so a date or
    /// a midnight ends the day before.
    fn last_day(self) -> Date {
        match self {
            When::Date(date) | When::DateTime(date, true) => date.saturating_add((-1).day()),
            When::DateTime(date, false) => date,
        }
    }
}

/// `P3D`, `P1W`: the only durations an all-day holiday has.
fn whole_days(value: &str) -> Option<i64> {
    let rest = value.strip_prefix('+').unwrap_or(value).strip_prefix('P')?;
    let (number, unit) = rest.split_at(rest.len().checked_sub(1)?);
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: i64 = number.parse().ok()?;
    match unit {
        "D" => Some(number),
        "W" => number.checked_mul(7),
        _ => None,
    }
}

/// TEXT values escape backslash, comma, semicolon and newline (RFC 5545 §3.3.11).
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push(' '),
            Some(escaped) => out.push(escaped),
            None => {}
        }
    }
    out.trim().to_owned()
}

#[derive(Default)]
struct Event {
    summary: Option<String>,
    start: Option<(Date, usize)>,
    end: Option<(When, usize)>,
    duration: Option<(i64, usize)>,
    rule: Option<YearlyRule>,
    extra_dates: Vec<Date>,
    excluded_dates: Vec<Date>,
    cancelled: bool,
}

impl Event {
    /// Its holidays; `end_line` and `end_text` are the END:VEVENT line.
    fn holidays(
        self,
        end_line: usize,
        end_text: &str,
        expand_until_year: i16,
        error: &impl Fn(usize, &str, &str) -> HolidayFileError,
    ) -> Result<Vec<(Date, String)>, HolidayFileError> {
        let Some((start, start_line)) = self.start else {
            return Err(error(end_line, "a DTSTART in the VEVENT before", end_text));
        };
        let Some(name) = self.summary.filter(|s| !s.is_empty()) else {
            return Err(error(
                end_line,
                "a SUMMARY naming the holiday in the VEVENT before",
                end_text,
            ));
        };
        if self.cancelled {
            return Ok(Vec::new());
        }
        let extra_days = match (self.end, self.duration) {
            (Some(_), Some((_, line))) => {
                return Err(error(line, "either DTEND or DURATION, not both", "both"));
            }
            (Some((end, line)), None) => {
                if end.date() < start {
                    return Err(error(
                        line,
                        "a DTEND after DTSTART",
                        &end.date().to_string(),
                    ));
                }
                // Zero for an event that ends where it starts.
                start
                    .until(end.last_day().max(start))
                    .map_or(0, |span| i64::from(span.get_days()))
            }
            (None, Some((days, _))) => (days - 1).max(0),
            (None, None) => 0,
        };
        if extra_days >= MAX_EVENT_DAYS {
            let line = self
                .end
                .map(|(_, l)| l)
                .or(self.duration.map(|(_, l)| l))
                .unwrap_or(start_line);
            return Err(error(
                line,
                "an event of at most 366 days",
                &format!("{} days", extra_days + 1),
            ));
        }

        let mut starts = match &self.rule {
            Some(rule) => rule.expand(start, expand_until_year),
            None => vec![start],
        };
        starts.extend(self.extra_dates);
        starts.retain(|d| !self.excluded_dates.contains(d));
        starts.sort_unstable();
        starts.dedup();
        let mut holidays = Vec::new();
        for first in starts {
            for offset in 0..=extra_days {
                holidays.push((first.saturating_add(offset.days()), name.clone()));
            }
        }
        Ok(holidays)
    }
}

struct YearlyRule {
    interval: i16,
    count: Option<usize>,
    until: Option<Date>,
    months: Vec<i8>,
    month_days: Vec<i8>,
    /// Ordinal within the month (negative from its end) and weekday.
    weekdays: Vec<(i8, Weekday)>,
}

impl YearlyRule {
    fn parse(value: &str) -> Option<YearlyRule> {
        let mut rule = YearlyRule {
            interval: 1,
            count: None,
            until: None,
            months: Vec::new(),
            month_days: Vec::new(),
            weekdays: Vec::new(),
        };
        let mut yearly = false;
        for part in value.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=')?;
            match key.to_ascii_uppercase().as_str() {
                "FREQ" => yearly = value.eq_ignore_ascii_case("YEARLY"),
                "INTERVAL" => rule.interval = value.parse().ok().filter(|&n| n > 0)?,
                "COUNT" => rule.count = Some(value.parse().ok().filter(|&n| n > 0)?),
                "UNTIL" => rule.until = Some(When::parse(value)?.date()),
                "BYMONTH" => rule.months = list(value, |m| (1..=12).contains(&m))?,
                "BYMONTHDAY" => {
                    rule.month_days = list(value, |d| d != 0 && (-31..=31).contains(&d))?
                }
                "BYDAY" => {
                    rule.weekdays = value
                        .split(',')
                        .map(ordinal_weekday)
                        .collect::<Option<_>>()?
                }
                // Matters only for weekly rules.
                "WKST" => {}
                _ => return None,
            }
        }
        // BYDAY in a yearly rule without BYMONTH counts weekdays through the year,
        // and with BYMONTHDAY it filters rather than expands: neither is a holiday.
        let byday_fits =
            rule.weekdays.is_empty() || (!rule.months.is_empty() && rule.month_days.is_empty());
        let ends_once = rule.count.is_none() || rule.until.is_none();
        (yearly && byday_fits && ends_once).then_some(rule)
    }

    /// The occurrences from `start` (always the first) through `until_year`.
    fn expand(&self, start: Date, until_year: i16) -> Vec<Date> {
        let months = match (&self.months[..], &self.month_days[..]) {
            ([], []) => vec![start.month()],
            // A month day alone recurs in every month (RFC 5545 §3.3.10).
            ([], _) => (1..=12).collect(),
            (months, _) => months.to_vec(),
        };
        let month_days = if self.month_days.is_empty() {
            vec![start.day()]
        } else {
            self.month_days.clone()
        };
        let mut dates = vec![start];
        let mut year = start.year();
        while year <= until_year {
            let mut in_year: Vec<Date> = Vec::new();
            for &month in &months {
                let Ok(first) = Date::new(year, month, 1) else {
                    continue;
                };
                if self.weekdays.is_empty() {
                    in_year.extend(month_days.iter().filter_map(|&day| month_day(first, day)));
                } else {
                    in_year.extend(self.weekdays.iter().filter_map(|&(nth, weekday)| {
                        first.nth_weekday_of_month(nth, weekday).ok()
                    }));
                }
            }
            in_year.sort_unstable();
            for date in in_year.into_iter().filter(|&d| d > start) {
                if self.until.is_some_and(|until| date > until)
                    || self.count.is_some_and(|count| dates.len() >= count)
                {
                    return dates;
                }
                dates.push(date);
            }
            let Some(next) = year.checked_add(self.interval) else {
                break;
            };
            year = next;
        }
        dates
    }
}

/// Day `day` of the month starting at `first`, counting from its end when
/// negative; none when the month is too short (30 February is skipped, not moved).
fn month_day(first: Date, day: i8) -> Option<Date> {
    let length = first.days_in_month();
    let day = if day < 0 { length + 1 + day } else { day };
    (1..=length)
        .contains(&day)
        .then(|| first.saturating_add(i64::from(day - 1).days()))
}

fn list(value: &str, valid: impl Fn(i8) -> bool) -> Option<Vec<i8>> {
    value
        .split(',')
        .map(|v| v.trim().parse().ok().filter(|&n| valid(n)))
        .collect()
}

/// `4TH`, `-1MO`, `+2WE`: an ordinal is required, a bare `MO` would be every Monday.
fn ordinal_weekday(value: &str) -> Option<(i8, Weekday)> {
    let value = value.trim();
    let (ordinal, day) = value.split_at(value.len().checked_sub(2)?);
    let ordinal: i8 = ordinal.strip_prefix('+').unwrap_or(ordinal).parse().ok()?;
    if ordinal == 0 || !(-5..=5).contains(&ordinal) {
        return None;
    }
    let weekday = match day.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return None,
    };
    Some((ordinal, weekday))
}
