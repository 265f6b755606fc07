//! How fast a tip must be acknowledged, and who is told when it was not.
//!
//! A tip that involves a minor, or someone in immediate danger, is urgent: a child moved
//! across a county line in a few hours may never be found. Urgent tips are acknowledged
//! (assigned to a named investigator) within one hour, all others within 24 hours. A tip
//! still unacknowledged after its deadline is escalated to the duty supervisor and the
//! joint-conference office, so that none waits unseen.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::state::TipState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipUrgency {
    /// A minor (anyone at risk under 18) is involved, or someone is in immediate danger.
    Urgent,
    Normal,
}

impl TipUrgency {
    /// Urgency follows from the content alone, so that every tip with the same facts gets
    /// the same deadline whoever reads it first.
    pub fn assess(involves_minor: bool, immediate_danger: bool) -> TipUrgency {
        if involves_minor || immediate_danger {
            TipUrgency::Urgent
        } else {
            TipUrgency::Normal
        }
    }

    /// The time allowed from receipt to acknowledgement.
    pub fn ack_window(self) -> Duration {
        match self {
            TipUrgency::Urgent => Duration::hours(1),
            TipUrgency::Normal => Duration::hours(24),
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            TipUrgency::Urgent => "urgent",
            TipUrgency::Normal => "normal",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TipUrgency::Urgent => "紧急",
            TipUrgency::Normal => "一般",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TipUrgency::Urgent => "urgent",
            TipUrgency::Normal => "normal",
        }
    }
}

/// The moment by which a tip received at `received_at` must be acknowledged.
pub fn ack_deadline(received_at: OffsetDateTime, urgency: TipUrgency) -> OffsetDateTime {
    received_at + urgency.ack_window()
}

/// Who is told about an overdue tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationTarget {
    /// The supervisor on duty in the receiving unit: can assign the tip at once.
    DutySupervisor,
    /// The joint-conference office (联席会议办公室): sees that the reporting system
    /// works and counts the delays.
    ConferenceOffice,
}

/// An overdue tip, to be escalated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    pub deadline: OffsetDateTime,
    /// How long past the deadline the tip is at the moment asked.
    pub overdue_by: Duration,
}

impl Escalation {
    /// Both are told at once: the supervisor to act, the office to know.
    pub fn targets(&self) -> [EscalationTarget; 2] {
        [
            EscalationTarget::DutySupervisor,
            EscalationTarget::ConferenceOffice,
        ]
    }
}

/// The acknowledgement clock of one tip: when it arrived and how urgent it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckClock {
    pub received_at: OffsetDateTime,
    pub urgency: TipUrgency,
}

impl AckClock {
    pub fn new(received_at: OffsetDateTime, urgency: TipUrgency) -> AckClock {
        AckClock {
            received_at,
            urgency,
        }
    }

    pub fn deadline(&self) -> OffsetDateTime {
        ack_deadline(self.received_at, self.urgency)
    }

    /// Whether the tip is still unacknowledged after its deadline. At the deadline itself
    /// it is not yet overdue.
    pub fn is_overdue(&self, state: &TipState, now: OffsetDateTime) -> bool {
        matches!(state, TipState::Received) && now > self.deadline()
    }

    /// Whether the deadline was missed, now or in the past: unacknowledged and overdue,
    /// or acknowledged after the deadline. This is what the overdue-tips figure counts.
    pub fn missed_deadline(&self, state: &TipState, now: OffsetDateTime) -> bool {
        match state.assignment() {
            None => self.is_overdue(state, now),
            Some(a) => a.acknowledged_at > self.deadline(),
        }
    }

    /// The escalation due now, if the tip is overdue.
    pub fn escalation(&self, state: &TipState, now: OffsetDateTime) -> Option<Escalation> {
        self.is_overdue(state, now).then(|| Escalation {
            deadline: self.deadline(),
            overdue_by: now - self.deadline(),
        })
    }

    /// Time from receipt to acknowledgement, once acknowledged.
    pub fn time_to_acknowledge(&self, state: &TipState) -> Option<Duration> {
        state
            .assignment()
            .map(|a| a.acknowledged_at - self.received_at)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::ids::UserId;
    use crate::tips::state::Assignment;

    #[test]
    fn urgency_from_content() {
        assert_eq!(TipUrgency::assess(true, false), TipUrgency::Urgent);
        assert_eq!(TipUrgency::assess(false, true), TipUrgency::Urgent);
        assert_eq!(TipUrgency::assess(true, true), TipUrgency::Urgent);
        assert_eq!(TipUrgency::assess(false, false), TipUrgency::Normal);
    }

    #[test]
    fn deadlines() {
        let t = datetime!(2026-03-01 23:30 +8);
        assert_eq!(
            ack_deadline(t, TipUrgency::Urgent),
            datetime!(2026-03-02 00:30 +8)
        );
        assert_eq!(
            ack_deadline(t, TipUrgency::Normal),
            datetime!(2026-03-02 23:30 +8)
        );
    }

    #[test]
    fn overdue_only_while_unacknowledged_and_strictly_after_the_deadline() {
        let clock = AckClock::new(datetime!(2026-03-01 10:00 +8), TipUrgency::Urgent);
        let received = TipState::Received;
        assert!(!clock.is_overdue(&received, datetime!(2026-03-01 10:59 +8)));
        assert!(!clock.is_overdue(&received, datetime!(2026-03-01 11:00 +8)));
        assert!(clock.is_overdue(&received, datetime!(2026-03-01 11:00:01 +8)));
        let e = clock
            .escalation(&received, datetime!(2026-03-01 11:20 +8))
            .unwrap();
        assert_eq!(e.overdue_by, Duration::minutes(20));
        assert_eq!(
            e.targets(),
            [
                EscalationTarget::DutySupervisor,
                EscalationTarget::ConferenceOffice
            ]
        );
        assert_eq!(
            clock.escalation(&received, datetime!(2026-03-01 10:20 +8)),
            None
        );

        let acked = TipState::Acknowledged(Assignment {
            assignee: UserId::new("u1"),
            acknowledged_at: datetime!(2026-03-01 11:30 +8),
        });
        assert!(!clock.is_overdue(&acked, datetime!(2026-03-02 00:00 +8)));
        assert_eq!(
            clock.escalation(&acked, datetime!(2026-03-02 00:00 +8)),
            None
        );
        assert!(clock.missed_deadline(&acked, datetime!(2026-03-02 00:00 +8)));
        assert_eq!(
            clock.time_to_acknowledge(&acked),
            Some(Duration::minutes(90))
        );
        assert_eq!(clock.time_to_acknowledge(&received), None);
    }

    #[test]
    fn acknowledged_in_time_never_counts_as_missed() {
        let clock = AckClock::new(datetime!(2026-03-01 10:00 UTC), TipUrgency::Normal);
        let acked = TipState::UnderReview(Assignment {
            assignee: UserId::new("u1"),
            acknowledged_at: datetime!(2026-03-02 10:00 UTC),
        });
        assert!(!clock.missed_deadline(&acked, datetime!(2027-01-01 00:00 UTC)));
        assert!(!clock.missed_deadline(&TipState::Received, datetime!(2026-03-02 10:00 UTC)));
        assert!(clock.missed_deadline(&TipState::Received, datetime!(2026-03-02 10:01 UTC)));
    }
}
