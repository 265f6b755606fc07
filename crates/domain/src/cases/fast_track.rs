//! Registration at once for missing children and girls.
//!
//! A report that a child under 14 is missing, or a girl aged 14 to under 18, is registered
//! as a criminal case (立案) at once, without the registration-review period: the first
//! hours decide whether a trafficked child is found. [`FastTrack`] can only be obtained
//! from [`fast_track_registration`], so a case that skips the review carries proof that
//! the rule allowed it.

use time::Date;

use super::classification::Classification;
use crate::ids::Sex;
use crate::mask;

/// What is known of one victim at the time of the event: sex and age may be unknown when
/// the report comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VictimAtEvent {
    pub sex: Option<Sex>,
    /// Completed years on the day of the event.
    pub age: Option<u16>,
}

impl VictimAtEvent {
    /// From a known birth date; the age is `None` if the birth date lies after the event,
    /// which the caller reports as an error of the birth date.
    pub fn from_birth_date(sex: Option<Sex>, birth: Date, event: Date) -> VictimAtEvent {
        VictimAtEvent {
            sex,
            age: mask::age(birth, event),
        }
    }

    /// From the age the reporter gives.
    pub fn with_age(sex: Option<Sex>, age: Option<u16>) -> VictimAtEvent {
        VictimAtEvent { sex, age }
    }
}

/// Which part of the rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FastTrackReason {
    /// A missing child under 14, of either sex.
    MissingChildUnder14,
    /// A missing girl aged 14 to under 18.
    MissingGirlUnder18,
}

impl FastTrackReason {
    pub fn id(self) -> &'static str {
        match self {
            FastTrackReason::MissingChildUnder14 => "missing_child_under_14",
            FastTrackReason::MissingGirlUnder18 => "missing_girl_under_18",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            FastTrackReason::MissingChildUnder14 => "不满十四周岁儿童失踪，立即立案",
            FastTrackReason::MissingGirlUnder18 => "已满十四周岁不满十八周岁女性失踪，立即立案",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            FastTrackReason::MissingChildUnder14 => "missing child under 14: registered at once",
            FastTrackReason::MissingGirlUnder18 => "missing girl aged 14 to 17: registered at once",
        }
    }
}

/// Proof that a case may go from accepted straight to registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FastTrack {
    reason: FastTrackReason,
}

impl FastTrack {
    pub fn reason(&self) -> FastTrackReason {
        self.reason
    }
}

/// Whether a case must be registered at once: it began as a missing-person report, and a
/// missing person is under 14, or is a girl under 18. A victim of unknown age does not
/// qualify (the ordinary review, at most 3 days, applies until the age is known); a
/// victim under 14 qualifies whatever the recorded sex.
pub fn fast_track_registration(
    classification: &Classification,
    victims: &[VictimAtEvent],
) -> Option<FastTrack> {
    if !classification.missing_person_report {
        return None;
    }
    let child = victims.iter().any(|v| v.age.is_some_and(|a| a < 14));
    if child {
        return Some(FastTrack {
            reason: FastTrackReason::MissingChildUnder14,
        });
    }
    let girl = victims
        .iter()
        .any(|v| v.sex == Some(Sex::Female) && v.age.is_some_and(|a| (14..18).contains(&a)));
    girl.then_some(FastTrack {
        reason: FastTrackReason::MissingGirlUnder18,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn missing() -> Classification {
        Classification {
            missing_person_report: true,
            ..Classification::default()
        }
    }

    fn reason(c: &Classification, v: &[VictimAtEvent]) -> Option<FastTrackReason> {
        fast_track_registration(c, v).map(|f| f.reason())
    }

    #[test]
    fn the_rule_by_age_and_sex() {
        let boy = |a| VictimAtEvent::with_age(Some(Sex::Male), Some(a));
        let girl = |a| VictimAtEvent::with_age(Some(Sex::Female), Some(a));
        let c = missing();
        assert_eq!(
            reason(&c, &[boy(0)]),
            Some(FastTrackReason::MissingChildUnder14)
        );
        assert_eq!(
            reason(&c, &[boy(13)]),
            Some(FastTrackReason::MissingChildUnder14)
        );
        assert_eq!(reason(&c, &[boy(14)]), None);
        assert_eq!(
            reason(&c, &[girl(13)]),
            Some(FastTrackReason::MissingChildUnder14)
        );
        assert_eq!(
            reason(&c, &[girl(14)]),
            Some(FastTrackReason::MissingGirlUnder18)
        );
        assert_eq!(
            reason(&c, &[girl(17)]),
            Some(FastTrackReason::MissingGirlUnder18)
        );
        assert_eq!(reason(&c, &[girl(18)]), None);
        assert_eq!(
            reason(&c, &[VictimAtEvent::with_age(None, Some(5))]),
            Some(FastTrackReason::MissingChildUnder14)
        );
        assert_eq!(reason(&c, &[VictimAtEvent::with_age(None, Some(16))]), None);
        assert_eq!(
            reason(&c, &[VictimAtEvent::with_age(Some(Sex::Female), None)]),
            None
        );
        assert_eq!(reason(&c, &[]), None);
        // Any one victim qualifying is enough; a child outranks a girl.
        assert_eq!(
            reason(&c, &[boy(30), girl(16)]),
            Some(FastTrackReason::MissingGirlUnder18)
        );
        assert_eq!(
            reason(&c, &[girl(16), boy(3)]),
            Some(FastTrackReason::MissingChildUnder14)
        );
    }

    #[test]
    fn only_for_missing_person_reports() {
        let not_missing = Classification::default();
        assert_eq!(
            reason(
                &not_missing,
                &[VictimAtEvent::with_age(Some(Sex::Male), Some(3))]
            ),
            None
        );
    }

    #[test]
    fn ages_from_birth_dates() {
        let v = VictimAtEvent::from_birth_date(
            Some(Sex::Female),
            date!(2010 - 05 - 01),
            date!(2028 - 04 - 30),
        );
        assert_eq!(v.age, Some(17));
        assert_eq!(
            reason(&missing(), &[v]),
            Some(FastTrackReason::MissingGirlUnder18)
        );
        let v = VictimAtEvent::from_birth_date(
            Some(Sex::Female),
            date!(2010 - 05 - 01),
            date!(2028 - 05 - 01),
        );
        assert_eq!(reason(&missing(), &[v]), None);
        let unborn =
            VictimAtEvent::from_birth_date(None, date!(2030 - 01 - 01), date!(2028 - 05 - 01));
        assert_eq!(unborn.age, None);
    }
}
