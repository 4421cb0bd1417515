//! Who may service a device at an instant (SPEC §3.2; ISO 13485 6.2, 7.5.4; MDR Art. 25 for
//! partners): a technician with a passed competence check on the version of every procedure
//! that governs the event type on the event's date, and, for a partner's engineer, a quality
//! agreement valid that date that covers the device's country. The day is the event's calendar
//! date in the manufacturer's time zone, which the caller derives from the instant.

use jiff::civil::Date;
use vigilo_registry::procedure::governing;
use vigilo_registry::{
    CheckResult, Country, OrgKind, Person, ProcedureVersion, QualityAgreement, Refusal, Role,
    TrainingRecord,
};

/// The technician and everything about them the rule looks at.
#[derive(Debug, Clone, Copy)]
pub struct Engineer<'a> {
    pub person: &'a Person,
    pub org_kind: OrgKind,
    /// The agreements of the person's organisation (only a partner's are consulted).
    pub agreements: &'a [QualityAgreement],
    /// The person's training records.
    pub trainings: &'a [TrainingRecord],
}

/// What the event will record: the governing procedure versions the engineer is competent on,
/// sorted by procedure id (usually exactly one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorised {
    pub procedures: Vec<ProcedureVersion>,
}

impl Authorised {
    /// The procedure version the event record names.
    pub fn procedure(&self) -> &ProcedureVersion {
        &self.procedures[0]
    }
}

pub const RULE: &str = "a service event is recorded only by an engineer authorised at its instant (SPEC 3.2, ISO 13485 6.2 and 7.5.4)";

/// Checks every condition and names every one that is not met, so one refusal tells the whole
/// story ("holds no passed check on SOP-BAT version 2; no agreement covers FR on 2026-03-01").
pub fn authorise_service(
    engineer: Engineer<'_>,
    procedures: &[ProcedureVersion],
    event_type: &str,
    country: Country,
    day: Date,
) -> Result<Authorised, Refusal> {
    let who = &engineer.person.id;
    let mut missing: Vec<String> = Vec::new();
    if !engineer.person.roles.contains(&Role::Technician) {
        missing.push(format!("{who} does not hold the technician role"));
    }
    let mut governing = governing(procedures, event_type, day);
    governing.sort_by(|a, b| a.procedure_id.cmp(&b.procedure_id));
    if governing.is_empty() {
        missing.push(format!(
            "no effective procedure governs {event_type:?} on {day}"
        ));
    }
    for version in &governing {
        if let Some(problem) = competence_gap(engineer, version, day) {
            missing.push(problem);
        }
    }
    if engineer.org_kind == OrgKind::Partner
        && !engineer.agreements.iter().any(|a| a.covers(country, day))
    {
        missing.push(agreement_gap(engineer, country, day));
    }
    if missing.is_empty() {
        Ok(Authorised {
            procedures: governing,
        })
    } else {
        Err(Refusal::new(RULE, missing.join("; ")))
    }
}

fn competence_gap(engineer: Engineer<'_>, version: &ProcedureVersion, day: Date) -> Option<String> {
    let of_version = |t: &&TrainingRecord| {
        t.procedure_id == version.procedure_id && t.procedure_version == version.version
    };
    let passed = engineer
        .trainings
        .iter()
        .filter(of_version)
        .any(|t| t.result == CheckResult::Pass && t.trained_on <= day);
    if passed {
        return None;
    }
    let effective = version
        .effective_on
        .map(|d| format!(", effective since {d}"))
        .unwrap_or_default();
    let mut problem = format!(
        "{} holds no passed competence check on {} version {}{effective} dated on or before {day}",
        engineer.person.id, version.procedure_id, version.version
    );
    // Say what they do hold, so the fix is obvious (retrain on the new version, redo a check).
    let mut held: Vec<String> = engineer
        .trainings
        .iter()
        .filter(|t| t.procedure_id == version.procedure_id)
        .map(|t| {
            format!(
                "version {} {} {} on {}",
                t.procedure_version, t.check_kind, t.result, t.trained_on
            )
        })
        .collect();
    if !held.is_empty() {
        held.sort();
        problem.push_str(&format!(" (holds: {})", held.join(", ")));
    }
    Some(problem)
}

fn agreement_gap(engineer: Engineer<'_>, country: Country, day: Date) -> String {
    let who = &engineer.person.id;
    let org = &engineer.person.org;
    if engineer.agreements.is_empty() {
        return format!("{who}'s organisation {org} is a partner without a quality agreement");
    }
    let listed: Vec<String> = engineer
        .agreements
        .iter()
        .map(|a| {
            let cs: Vec<&str> = a.countries.iter().map(Country::as_str).collect();
            format!(
                "{} covers {} from {} to {}",
                a.reference,
                cs.join(", "),
                a.valid_from,
                a.valid_to
            )
        })
        .collect();
    format!(
        "no quality agreement of {org} covers {} on {day} ({})",
        country.as_str(),
        listed.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use vigilo_registry::CheckKind;

    fn person(id: &str, org: &str, roles: &[Role]) -> Person {
        Person {
            id: id.into(),
            name: id.into(),
            org: org.into(),
            roles: roles.to_vec(),
        }
    }

    fn sop(id: i64, version: &str, effective: Date) -> ProcedureVersion {
        ProcedureVersion {
            id,
            procedure_id: "SOP-BAT".into(),
            version: version.into(),
            title: "Battery replacement".into(),
            governs: vec!["battery-replacement".into()],
            effective_on: Some(effective),
        }
    }

    fn trained(person: &str, version: &str, on: Date, result: CheckResult) -> TrainingRecord {
        TrainingRecord {
            id: 0,
            person: person.into(),
            procedure_id: "SOP-BAT".into(),
            procedure_version: version.into(),
            trained_on: on,
            trainer: "qm".into(),
            check_kind: CheckKind::Test,
            result,
        }
    }

    fn agreement(from: Date, to: Date, countries: &[&str]) -> QualityAgreement {
        QualityAgreement {
            id: 1,
            org: "medserv".into(),
            reference: "QA-7".into(),
            valid_from: from,
            valid_to: to,
            countries: countries
                .iter()
                .map(|c| Country::parse("c", c).unwrap())
                .collect(),
        }
    }

    fn procedures() -> Vec<ProcedureVersion> {
        vec![sop(1, "1", date(2024, 1, 1)), sop(2, "2", date(2026, 6, 1))]
    }

    fn check(
        p: &Person,
        kind: OrgKind,
        agreements: &[QualityAgreement],
        trainings: &[TrainingRecord],
        country: &str,
        day: Date,
    ) -> Result<String, String> {
        let engineer = Engineer {
            person: p,
            org_kind: kind,
            agreements,
            trainings,
        };
        authorise_service(
            engineer,
            &procedures(),
            "battery-replacement",
            Country::parse("c", country).unwrap(),
            day,
        )
        .map(|a| format!("{} v{}", a.procedure().procedure_id, a.procedure().version))
        .map_err(|r| r.missing)
    }

    #[test]
    fn competence_follows_the_version_in_force_on_the_day() {
        let anna = person("anna", "acme", &[Role::Technician]);
        let trainings = [trained("anna", "1", date(2024, 2, 1), CheckResult::Pass)];
        let before = check(
            &anna,
            OrgKind::Manufacturer,
            &[],
            &trainings,
            "DE",
            date(2026, 5, 31),
        );
        assert_eq!(before.unwrap(), "SOP-BAT v1");
        let after = check(
            &anna,
            OrgKind::Manufacturer,
            &[],
            &trainings,
            "DE",
            date(2026, 6, 1),
        );
        let missing = after.unwrap_err();
        assert!(
            missing.contains(
                "no passed competence check on SOP-BAT version 2, effective since 2026-06-01"
            ),
            "{missing}"
        );
        assert!(
            missing.contains("holds: version 1 test pass on 2024-02-01"),
            "{missing}"
        );
    }

    #[test]
    fn a_failed_or_later_check_does_not_count() {
        let anna = person("anna", "acme", &[Role::Technician]);
        let failed = [trained("anna", "2", date(2026, 6, 2), CheckResult::Fail)];
        let m = check(
            &anna,
            OrgKind::Manufacturer,
            &[],
            &failed,
            "DE",
            date(2026, 7, 1),
        )
        .unwrap_err();
        assert!(
            m.contains("holds: version 2 test fail on 2026-06-02"),
            "{m}"
        );
        let later = [trained("anna", "2", date(2026, 7, 2), CheckResult::Pass)];
        assert!(
            check(
                &anna,
                OrgKind::Manufacturer,
                &[],
                &later,
                "DE",
                date(2026, 7, 1)
            )
            .is_err()
        );
        assert!(
            check(
                &anna,
                OrgKind::Manufacturer,
                &[],
                &later,
                "DE",
                date(2026, 7, 2)
            )
            .is_ok()
        );
    }

    #[test]
    fn partners_need_an_agreement_for_the_country_and_date() {
        let paul = person("paul", "medserv", &[Role::Technician]);
        let trainings = [trained("paul", "1", date(2024, 2, 1), CheckResult::Pass)];
        let qa = [agreement(
            date(2025, 1, 1),
            date(2025, 12, 31),
            &["AT", "IT"],
        )];
        let day = date(2025, 3, 1);
        assert!(check(&paul, OrgKind::Partner, &qa, &trainings, "AT", day).is_ok());
        let m = check(&paul, OrgKind::Partner, &qa, &trainings, "FR", day).unwrap_err();
        assert_eq!(
            m,
            "no quality agreement of medserv covers FR on 2025-03-01 (QA-7 covers AT, IT from 2025-01-01 to 2025-12-31)"
        );
        let m = check(
            &paul,
            OrgKind::Partner,
            &qa,
            &trainings,
            "AT",
            date(2026, 1, 1),
        )
        .unwrap_err();
        assert!(m.contains("covers AT on 2026-01-01"), "{m}");
        // The manufacturer's own engineers need no agreement.
        assert!(check(&paul, OrgKind::Manufacturer, &[], &trainings, "FR", day).is_ok());
    }

    #[test]
    fn every_missing_condition_is_named() {
        let triager = person("tom", "medserv", &[Role::Triager]);
        let m = check(&triager, OrgKind::Partner, &[], &[], "FR", date(2023, 6, 1)).unwrap_err();
        assert_eq!(
            m,
            "tom does not hold the technician role; \
             no effective procedure governs \"battery-replacement\" on 2023-06-01; \
             tom's organisation medserv is a partner without a quality agreement"
        );
    }
}
