//! Which part lots a service event may issue (SPEC §3.2; ISO 13485 7.5.8, 8.3): a lot that was
//! released at the event's instant, and no more than is left of what was received.
//!
//! The status is the one in force when the parts were taken, not when the event is typed in:
//! events are often recorded days later, or imported from a legacy export years later, and a
//! lot quarantined today was still correctly issued last month. The trace then finds those
//! devices for the field action; refusing the record would lose them.

use jiff::Timestamp;
use vigilo_registry::{LotStatus, PartLot};

pub const RULE: &str = "only lots released at the event's instant may be issued, and no more than was received (ISO 13485 7.5.8, 8.3)";

/// A lot's status over time: each status it was given, with the instant it was recorded, in
/// the order recorded (the first is its status when received). Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotHistory(Vec<(Timestamp, LotStatus)>);

impl LotHistory {
    /// A lot received with `status` at `at`.
    pub fn received(at: Timestamp, status: LotStatus) -> LotHistory {
        LotHistory(vec![(at, status)])
    }

    /// Appends a change, in the order changes were recorded.
    pub fn push(&mut self, at: Timestamp, status: LotStatus) {
        self.0.push((at, status));
    }

    /// The status in force at `at`, and since when: the last change recorded at or before
    /// `at`. Before the lot was entered at all, its status when received (the parts existed
    /// before the stock record did).
    pub fn at(&self, at: Timestamp) -> (LotStatus, Timestamp) {
        let (since, status) = self
            .0
            .iter()
            .rev()
            .find(|(since, _)| *since <= at)
            .unwrap_or(&self.0[0]);
        (*status, *since)
    }
}

/// Why `lot` cannot issue `asked` parts to an event at `at`, with `issued` already issued; `None`
/// when it can.
pub fn refusal(
    lot: &PartLot,
    history: &LotHistory,
    issued: i64,
    asked: i64,
    at: Timestamp,
) -> Option<String> {
    let (status, since) = history.at(at);
    if status != LotStatus::Released {
        return Some(format!(
            "lot {} of part {} was {status} at {at} (since {since})",
            lot.lot, lot.part
        ));
    }
    let left = lot.quantity - issued;
    (asked > left).then(|| {
        format!(
            "lot {} of part {} has {left} left of {} received, {asked} asked",
            lot.lot, lot.part, lot.quantity
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn lot(status: LotStatus) -> PartLot {
        PartLot {
            id: 1,
            part: "BAT-01".into(),
            lot: "L200".into(),
            quantity: 5,
            location: None,
            status,
        }
    }

    fn quarantined_in_july() -> LotHistory {
        let mut h = LotHistory::received(t("2026-01-10T08:00:00Z"), LotStatus::Released);
        h.push(t("2026-07-01T12:00:00Z"), LotStatus::Quarantined);
        h.push(t("2026-08-01T12:00:00Z"), LotStatus::Released);
        h
    }

    #[test]
    fn an_event_is_judged_by_the_status_at_its_instant() {
        let h = quarantined_in_july();
        // The lot's status today is released; it was quarantined through July.
        let current = lot(LotStatus::Released);
        assert_eq!(
            refusal(&current, &h, 0, 1, t("2026-06-30T09:00:00Z")),
            None,
            "issued before the quarantine"
        );
        assert_eq!(
            refusal(&current, &h, 0, 1, t("2026-07-15T09:00:00Z")).as_deref(),
            Some(
                "lot L200 of part BAT-01 was quarantined at 2026-07-15T09:00:00Z (since 2026-07-01T12:00:00Z)"
            )
        );
        assert_eq!(
            refusal(&current, &h, 0, 1, t("2026-07-01T12:00:00Z")).map(|_| ()),
            Some(()),
            "the change applies from its own instant"
        );
        assert_eq!(refusal(&current, &h, 0, 1, t("2026-08-02T09:00:00Z")), None);
        // Parts used before the stock record was entered: its status when received.
        assert_eq!(refusal(&current, &h, 0, 1, t("2025-12-01T09:00:00Z")), None);
    }

    #[test]
    fn a_recall_recorded_later_does_not_reach_back() {
        let mut h = LotHistory::received(t("2026-01-10T08:00:00Z"), LotStatus::Released);
        h.push(t("2026-11-20T08:00:00Z"), LotStatus::Recalled);
        let current = lot(LotStatus::Recalled);
        assert_eq!(refusal(&current, &h, 0, 1, t("2026-11-19T08:00:00Z")), None);
        let m = refusal(&current, &h, 0, 1, t("2026-11-21T08:00:00Z")).unwrap();
        assert!(m.contains("was recalled at 2026-11-21T08:00:00Z"), "{m}");
    }

    #[test]
    fn no_more_than_was_received() {
        let h = LotHistory::received(t("2026-01-10T08:00:00Z"), LotStatus::Released);
        let l = lot(LotStatus::Released);
        assert_eq!(refusal(&l, &h, 3, 2, t("2026-02-01T00:00:00Z")), None);
        assert_eq!(
            refusal(&l, &h, 3, 3, t("2026-02-01T00:00:00Z")).as_deref(),
            Some("lot L200 of part BAT-01 has 2 left of 5 received, 3 asked")
        );
    }

    fn status() -> impl Strategy<Value = LotStatus> {
        prop_oneof![
            Just(LotStatus::Released),
            Just(LotStatus::Quarantined),
            Just(LotStatus::Recalled)
        ]
    }

    proptest! {
        /// With changes recorded in time order, the status at any instant is that of the last
        /// change at or before it, and the first one's before any.
        #[test]
        fn the_last_change_not_after_the_instant_holds(
            changes in prop::collection::vec((0i64..1_000, status()), 1..8),
            probe in -100i64..1_100,
        ) {
            let mut changes = changes;
            changes.sort_by_key(|(at, _)| *at);
            let ts = |s: i64| Timestamp::from_second(1_700_000_000 + s).unwrap();
            let mut h = LotHistory::received(ts(changes[0].0), changes[0].1);
            for (at, s) in &changes[1..] {
                h.push(ts(*at), *s);
            }
            let in_force = changes.partition_point(|(at, _)| *at <= probe);
            let expected = changes[in_force.saturating_sub(1)];
            prop_assert_eq!(h.at(ts(probe)), (expected.1, ts(expected.0)));
        }
    }
}
