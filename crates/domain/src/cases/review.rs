//! The registration-review clock (立案审查期限).
//!
//! After a case is accepted (受案), the police decide whether to register it (立案) within
//! 3 days; when clues of a crime need checking, within at most 7 days; for a major,
//! difficult or complex case, with the approval of a head of a public security organ at
//! county level or above, within 30 days (公安部《关于改革完善受案立案制度的意见》, 2015).
//!
//! Periods are counted as the Criminal Procedure Law counts them: the starting day is not
//! counted, so a review started on 1 March with 3 days ends at the close of 4 March. The
//! rule that moves a deadline falling on a public holiday to the next working day is not
//! applied: the holiday calendar changes every year, and an earlier deadline errs on the
//! side of the person waiting for a decision.

use std::fmt;

use time::{Date, Duration};

use crate::ids::UserId;

/// How far the review period was extended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReviewExtension {
    /// The ordinary 3 days.
    None,
    /// Up to 7 days to check clues of a crime (涉嫌犯罪线索需要查证).
    CheckClues,
    /// Up to 30 days for a major, difficult or complex case (重大疑难复杂案件), approved by
    /// a head of a county-level or higher public security organ.
    ComplexApproved { approver: UserId },
}

impl ReviewExtension {
    /// Length of the review period in days.
    pub fn days(&self) -> i64 {
        match self {
            ReviewExtension::None => 3,
            ReviewExtension::CheckClues => 7,
            ReviewExtension::ComplexApproved { .. } => 30,
        }
    }

    /// Extensions only grow: a larger rank is a longer period.
    pub fn rank(&self) -> u8 {
        match self {
            ReviewExtension::None => 0,
            ReviewExtension::CheckClues => 1,
            ReviewExtension::ComplexApproved { .. } => 2,
        }
    }

    pub fn id(&self) -> &'static str {
        match self {
            ReviewExtension::None => "none",
            ReviewExtension::CheckClues => "check_clues",
            ReviewExtension::ComplexApproved { .. } => "complex_approved",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            ReviewExtension::None => "一般（3日）",
            ReviewExtension::CheckClues => "线索需查证（7日）",
            ReviewExtension::ComplexApproved { .. } => "重大疑难复杂，经批准（30日）",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            ReviewExtension::None => "ordinary (3 days)",
            ReviewExtension::CheckClues => "clues to check (7 days)",
            ReviewExtension::ComplexApproved { .. } => "complex, approved (30 days)",
        }
    }
}

impl fmt::Display for ReviewExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The last day of a review started on `started`: a decision taken on this day is on
/// time, one taken the day after is late.
pub fn review_deadline(started: Date, extension: &ReviewExtension) -> Date {
    started.saturating_add(Duration::days(extension.days()))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn deadlines_by_hand() {
        let start = date!(2026 - 03 - 01);
        assert_eq!(
            review_deadline(start, &ReviewExtension::None),
            date!(2026 - 03 - 04)
        );
        assert_eq!(
            review_deadline(start, &ReviewExtension::CheckClues),
            date!(2026 - 03 - 08)
        );
        let complex = ReviewExtension::ComplexApproved {
            approver: UserId::new("chief"),
        };
        assert_eq!(review_deadline(start, &complex), date!(2026 - 03 - 31));
        // Across a month end and a leap day.
        assert_eq!(
            review_deadline(date!(2028 - 02 - 27), &ReviewExtension::None),
            date!(2028 - 03 - 01)
        );
        assert_eq!(
            review_deadline(date!(2026 - 12 - 30), &ReviewExtension::CheckClues),
            date!(2027 - 01 - 06)
        );
    }

    #[test]
    fn extensions_are_ordered() {
        let complex = ReviewExtension::ComplexApproved {
            approver: UserId::new("chief"),
        };
        assert!(ReviewExtension::None.rank() < ReviewExtension::CheckClues.rank());
        assert!(ReviewExtension::CheckClues.rank() < complex.rank());
        assert!(ReviewExtension::None.days() < ReviewExtension::CheckClues.days());
        assert!(ReviewExtension::CheckClues.days() < complex.days());
        assert_eq!(complex.to_string(), "complex_approved");
    }
}
