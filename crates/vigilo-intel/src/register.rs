//! The advisory-sources register's rules (SPEC §3.5, EN IEC 81001-5-1 §9.2): every source has
//! an owner and a backup from security, and is reviewed on a cadence; an overdue review shows.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use vigilo_registry::{Refusal, Role, word_enum};

word_enum!(
    /// What a source publishes, which decides whether and how `advisories sync` reads it:
    /// `osv` is one OSV JSON file or a zip of them (`all.zip`); `vendor` and `threat-intel`
    /// sources are read by people (a vendor's PSIRT page) and never synced.
    SourceKind {
        Osv = "osv",
        Kev = "kev",
        Epss = "epss",
        Vendor = "vendor",
        ThreatIntel = "threat-intel"
    }
);

impl SourceKind {
    /// Whether `advisories sync` can fetch and import it.
    pub fn is_feed(&self) -> bool {
        matches!(self, SourceKind::Osv | SourceKind::Kev | SourceKind::Epss)
    }
}

word_enum!(ReviewOutcome { Ok = "ok", ChangesNeeded = "changes-needed" });

/// A person named as a source's owner or backup, with the roles they hold.
#[derive(Debug, Clone, Copy)]
pub struct Custodian<'a> {
    pub id: &'a str,
    pub roles: &'a [Role],
}

/// Owner and backup must be two people of the security team, so that a feed is still watched
/// when one of them is away.
pub fn check_custodians(owner: Custodian, backup: Custodian) -> Result<(), Refusal> {
    if owner.id == backup.id {
        return Err(Refusal::new(
            "a source's owner and backup are different persons",
            format!("{} is named as both", owner.id),
        ));
    }
    let missing: Vec<String> = [("owner", owner), ("backup", backup)]
        .iter()
        .filter(|(_, c)| !c.roles.contains(&Role::Security))
        .map(|(what, c)| format!("{what} {} does not hold the security role", c.id))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Refusal::new(
            "a source's owner and backup hold the security role",
            missing.join("; "),
        ))
    }
}

/// When the next review is due: `cadence_days` calendar days in the manufacturer's time zone
/// after the latest review, or after the source was registered if it was never reviewed.
pub fn next_review_due(
    registered_at: Timestamp,
    last_review: Option<Timestamp>,
    cadence_days: i64,
    zone: &TimeZone,
) -> Timestamp {
    let from = last_review.unwrap_or(registered_at).to_zoned(zone.clone());
    // Beyond jiff's range only for absurd cadences, which `add_source` refuses.
    from.checked_add(cadence_days.days())
        .map_or(Timestamp::MAX, |z| z.timestamp())
}

/// A review is overdue once its due instant has passed.
pub fn is_overdue(due: Timestamp, as_of: Timestamp) -> bool {
    as_of > due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn due_counts_from_the_latest_review_or_else_registration() {
        let utc = TimeZone::UTC;
        let registered = t("2026-01-10T09:00:00Z");
        assert_eq!(
            next_review_due(registered, None, 30, &utc),
            t("2026-02-09T09:00:00Z")
        );
        assert_eq!(
            next_review_due(registered, Some(t("2026-03-01T12:00:00Z")), 7, &utc),
            t("2026-03-08T12:00:00Z")
        );
    }

    #[test]
    fn days_are_calendar_days_across_daylight_saving() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 09:00 local on 2026-03-28 (CET) plus one day is 09:00 local on 03-29 (CEST): 23 hours.
        assert_eq!(
            next_review_due(t("2026-03-28T08:00:00Z"), None, 1, &berlin),
            t("2026-03-29T07:00:00Z")
        );
    }

    #[test]
    fn overdue_only_after_the_due_instant() {
        let due = t("2026-02-09T09:00:00Z");
        assert!(!is_overdue(due, t("2026-02-09T09:00:00Z")));
        assert!(is_overdue(due, t("2026-02-09T09:00:01Z")));
        assert!(!is_overdue(due, t("2026-01-01T00:00:00Z")));
    }

    #[test]
    fn kinds_and_outcomes_parse_by_their_names() {
        assert_eq!(
            SourceKind::parse("--kind", "threat-intel").unwrap(),
            SourceKind::ThreatIntel
        );
        let e = SourceKind::parse("--kind", "rss").unwrap_err();
        assert!(
            e.problem.contains("osv, kev, epss, vendor, threat-intel"),
            "{e}"
        );
        assert!(SourceKind::Epss.is_feed() && !SourceKind::Vendor.is_feed());
        assert_eq!(
            ReviewOutcome::parse("--outcome", "changes-needed").unwrap(),
            ReviewOutcome::ChangesNeeded
        );
    }

    #[test]
    fn custodians_are_two_security_people() {
        let sec = [Role::Security];
        let qm = [Role::Quality];
        let c = |id, roles| Custodian { id, roles };
        assert!(check_custodians(c("ann", &sec), c("bob", &sec)).is_ok());
        let same = check_custodians(c("ann", &sec), c("ann", &sec)).unwrap_err();
        assert_eq!(
            same.to_string(),
            "refused: a source's owner and backup are different persons: ann is named as both"
        );
        let role = check_custodians(c("ann", &sec), c("qm", &qm)).unwrap_err();
        assert_eq!(
            role.to_string(),
            "refused: a source's owner and backup hold the security role: backup qm does not hold the security role"
        );
        let both = check_custodians(c("x", &qm), c("y", &[])).unwrap_err();
        assert!(both.missing.contains("owner x") && both.missing.contains("backup y"));
    }
}
