//! Key figures of the reporting system and of case work, from per-period counts.
//!
//! The action plan sets measurable aims: faster discovery and solving of cases, and a
//! case clearance rate (破案率) that rises every year. These formulas are pure; the
//! service counts, the evaluation pages show. A rate whose denominator is zero is `None`,
//! never NaN or infinity, so a new county with no registered case shows "—", not "0 %".
//!
//! Definitions (see also `docs/tips-and-cases.md`):
//! - **clearance rate** = cases solved in the period ÷ cases registered (立案) in the
//!   period. Cold cases — solved at least N years (default 1) after registration — are
//!   counted apart and left out of the rate, so that clearing an old backlog is reported
//!   as such rather than masking this year's work. Because a case registered last year
//!   may be solved this year, the rate can exceed 100 %.
//! - **median time to acknowledge**: the middle of the sorted times (the mean of the two
//!   middle ones for an even count); **percentiles** by the nearest-rank method.
//! - **year-over-year change**: the difference, and the relative change when the previous
//!   year is not zero; for rates, the difference in percentage points.

use std::cmp::Ordering;
use std::collections::HashMap;

use time::{Date, Duration};

use crate::cases::classification::{ExploitationForm, VictimCategory};
use crate::ids::Sex;
use crate::mask;

/// A ratio of two counts with a non-zero denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    numerator: u64,
    denominator: u64,
}

impl Rate {
    /// `None` when `denominator` is zero.
    pub fn new(numerator: u64, denominator: u64) -> Option<Rate> {
        (denominator != 0).then_some(Rate {
            numerator,
            denominator,
        })
    }
    pub fn numerator(&self) -> u64 {
        self.numerator
    }
    pub fn denominator(&self) -> u64 {
        self.denominator
    }
    pub fn value(&self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }
    pub fn percent(&self) -> f64 {
        100.0 * self.value()
    }
    /// Exact comparison of the two ratios, without rounding.
    pub fn compare(&self, other: &Rate) -> Ordering {
        (u128::from(self.numerator) * u128::from(other.denominator))
            .cmp(&(u128::from(other.numerator) * u128::from(self.denominator)))
    }
}

/// 破案率: solved ÷ registered; `None` when nothing was registered.
pub fn clearance_rate(solved: u64, registered: u64) -> Option<Rate> {
    Rate::new(solved, registered)
}

/// The middle value; for an even count, the mean of the two middle values.
pub fn median(values: &[Duration]) -> Option<Duration> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    })
}

/// The nearest-rank `p`-th percentile: the smallest value with at least `p` % of the
/// values at or below it. `None` for no values or `p` outside 1..=100.
pub fn percentile(values: &[Duration], p: u8) -> Option<Duration> {
    if values.is_empty() || !(1..=100).contains(&p) {
        return None;
    }
    let mut v = values.to_vec();
    v.sort();
    let rank = (usize::from(p) * v.len()).div_ceil(100);
    Some(v[rank.max(1) - 1])
}

/// Tips by the decision that ended them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecisionCounts {
    pub open_case: u64,
    pub join_case: u64,
    pub refer: u64,
    pub no_action: u64,
}

impl DecisionCounts {
    pub fn total(&self) -> u64 {
        self.open_case + self.join_case + self.refer + self.no_action
    }
}

/// What the service counts about tips in one period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TipPeriod {
    pub received: u64,
    /// Tips decided in the period, by decision.
    pub decided: DecisionCounts,
    /// Tips received in the period whose acknowledgement deadline was missed.
    pub overdue: u64,
    /// Receipt-to-acknowledgement time of each tip acknowledged in the period.
    pub ack_times: Vec<Duration>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TipKpis {
    pub received: u64,
    pub decided: DecisionCounts,
    pub overdue: u64,
    /// Overdue ÷ received.
    pub overdue_share: Option<Rate>,
    /// Tips that became or joined a case ÷ tips decided.
    pub actionable_share: Option<Rate>,
    pub median_ack: Option<Duration>,
    pub p90_ack: Option<Duration>,
}

impl TipKpis {
    pub fn compute(p: &TipPeriod) -> TipKpis {
        TipKpis {
            received: p.received,
            decided: p.decided,
            overdue: p.overdue,
            overdue_share: Rate::new(p.overdue, p.received),
            actionable_share: Rate::new(
                p.decided.open_case + p.decided.join_case,
                p.decided.total(),
            ),
            median_ack: median(&p.ack_times),
            p90_ack: percentile(&p.ack_times, 90),
        }
    }
}

/// When a case solved long after registration counts as a cold case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColdCasePolicy {
    /// Full years between registration and solving, at least.
    pub min_years: u16,
}

impl Default for ColdCasePolicy {
    fn default() -> Self {
        ColdCasePolicy { min_years: 1 }
    }
}

impl ColdCasePolicy {
    /// Solved at least `min_years` full years after registration (a case registered on
    /// 29 February completes its year on 1 March).
    pub fn is_cold(&self, registered_on: Date, solved_on: Date) -> bool {
        mask::age(registered_on, solved_on).is_some_and(|y| y >= self.min_years)
    }
}

/// One case solved in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolvedCase {
    pub registered_on: Date,
    pub solved_on: Date,
}

/// What the service counts about cases in one period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CasePeriod {
    /// Cases accepted (受案) in the period.
    pub received: u64,
    /// Cases registered (立案) in the period.
    pub registered: u64,
    /// Cases solved (破案) in the period, whenever registered.
    pub solved: Vec<SolvedCase>,
    pub people_rescued: u64,
    pub suspects_caught: u64,
    pub gangs_broken_up: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KpiError {
    #[error("solved case {index} is dated before its registration")]
    SolvedBeforeRegistered { index: usize },
}

impl KpiError {
    pub fn code(&self) -> &'static str {
        match self {
            KpiError::SolvedBeforeRegistered { .. } => "kpi.solved_before_registered",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseKpis {
    pub received: u64,
    pub registered: u64,
    /// 破案数: solved in the period, cold cases excluded.
    pub solved: u64,
    /// Cold cases solved in the period.
    pub cold_solved: u64,
    /// 破案率: `solved` ÷ `registered`.
    pub clearance_rate: Option<Rate>,
    pub people_rescued: u64,
    pub suspects_caught: u64,
    pub gangs_broken_up: u64,
}

impl CaseKpis {
    pub fn compute(p: &CasePeriod, policy: ColdCasePolicy) -> Result<CaseKpis, KpiError> {
        let mut solved = 0;
        let mut cold = 0;
        for (index, c) in p.solved.iter().enumerate() {
            if c.solved_on < c.registered_on {
                return Err(KpiError::SolvedBeforeRegistered { index });
            }
            if policy.is_cold(c.registered_on, c.solved_on) {
                cold += 1;
            } else {
                solved += 1;
            }
        }
        Ok(CaseKpis {
            received: p.received,
            registered: p.registered,
            solved,
            cold_solved: cold,
            clearance_rate: clearance_rate(solved, p.registered),
            people_rescued: p.people_rescued,
            suspects_caught: p.suspects_caught,
            gangs_broken_up: p.gangs_broken_up,
        })
    }
}

/// A count this year against the year before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearOverYear {
    pub current: u64,
    pub previous: u64,
    pub change: i64,
    /// change ÷ previous; `None` when the previous year is zero.
    pub relative: Option<f64>,
}

pub fn year_over_year(current: u64, previous: u64) -> YearOverYear {
    let change = i64::try_from(i128::from(current) - i128::from(previous)).unwrap_or(
        if current > previous {
            i64::MAX
        } else {
            i64::MIN
        },
    );
    let relative = (previous != 0).then(|| change as f64 / previous as f64);
    YearOverYear {
        current,
        previous,
        change,
        relative,
    }
}

/// The change of a rate in percentage points; `None` when either year has no rate.
pub fn rate_change_points(current: Option<Rate>, previous: Option<Rate>) -> Option<f64> {
    Some(current?.percent() - previous?.percent())
}

/// Whether a yearly series of rates (oldest first) rises strictly every year, the aim
/// the action plan sets for the clearance rate. A year without a rate breaks the series;
/// fewer than two years show no rise.
pub fn rises_every_year(series: &[Option<Rate>]) -> bool {
    series.len() >= 2
        && series.windows(2).all(|w| match (w[0], w[1]) {
            (Some(a), Some(b)) => b.compare(&a) == Ordering::Greater,
            _ => false,
        })
}

/// One rescued or identified victim, for figures by sex, age and form of exploitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VictimGroup {
    pub sex: Sex,
    pub category: VictimCategory,
    pub exploitation: ExploitationForm,
}

/// Counts victims by sex, category and form of exploitation; groups in a fixed order
/// (female first, then by category, then by form), empty groups left out.
pub fn victims_by_group(victims: &[VictimGroup]) -> Vec<(VictimGroup, u64)> {
    let mut counts: HashMap<VictimGroup, u64> = HashMap::new();
    for v in victims {
        *counts.entry(*v).or_default() += 1;
    }
    let mut out: Vec<(VictimGroup, u64)> = counts.into_iter().collect();
    let sex_rank = |s: Sex| match s {
        Sex::Female => 0,
        Sex::Male => 1,
    };
    out.sort_by_key(|(g, _)| (sex_rank(g.sex), g.category, g.exploitation));
    out
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn mins(v: &[i64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::minutes(m)).collect()
    }

    #[test]
    fn rates_never_divide_by_zero() {
        assert_eq!(clearance_rate(3, 0), None);
        assert_eq!(clearance_rate(0, 0), None);
        let r = clearance_rate(3, 4).unwrap();
        assert_eq!(r.value(), 0.75);
        assert_eq!(r.percent(), 75.0);
        assert_eq!((r.numerator(), r.denominator()), (3, 4));
        assert_eq!(clearance_rate(0, 5).unwrap().value(), 0.0);
    }

    #[test]
    fn exact_rate_comparison() {
        let third = Rate::new(1, 3).unwrap();
        let two_sixths = Rate::new(2, 6).unwrap();
        assert_eq!(third.compare(&two_sixths), Ordering::Equal);
        assert_eq!(
            Rate::new(u64::MAX, u64::MAX - 1)
                .unwrap()
                .compare(&Rate::new(1, 1).unwrap()),
            Ordering::Greater
        );
    }

    #[test]
    fn median_by_hand() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&mins(&[30])), Some(Duration::minutes(30)));
        assert_eq!(median(&mins(&[50, 10, 30])), Some(Duration::minutes(30)));
        assert_eq!(
            median(&mins(&[40, 10, 30, 20])),
            Some(Duration::minutes(25))
        );
    }

    #[test]
    fn nearest_rank_percentiles_by_hand() {
        // Sorted: 15 20 35 40 50 (the textbook example).
        let v = mins(&[15, 20, 35, 40, 50]);
        assert_eq!(percentile(&v, 5), Some(Duration::minutes(15)));
        assert_eq!(percentile(&v, 30), Some(Duration::minutes(20)));
        assert_eq!(percentile(&v, 40), Some(Duration::minutes(20)));
        assert_eq!(percentile(&v, 50), Some(Duration::minutes(35)));
        assert_eq!(percentile(&v, 100), Some(Duration::minutes(50)));
        assert_eq!(percentile(&v, 0), None);
        assert_eq!(percentile(&v, 101), None);
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn tip_figures_by_hand() {
        let p = TipPeriod {
            received: 40,
            decided: DecisionCounts {
                open_case: 6,
                join_case: 4,
                refer: 10,
                no_action: 12,
            },
            overdue: 2,
            ack_times: mins(&[5, 10, 15, 20, 25, 30, 35, 40, 45, 600]),
        };
        let k = TipKpis::compute(&p);
        assert_eq!(k.decided.total(), 32);
        assert_eq!(k.overdue_share.unwrap().value(), 0.05);
        assert_eq!(k.actionable_share.unwrap().value(), 10.0 / 32.0);
        assert_eq!(k.median_ack, Some(Duration::seconds(27 * 60 + 30)));
        assert_eq!(k.p90_ack, Some(Duration::minutes(45)));
        let empty = TipKpis::compute(&TipPeriod::default());
        assert_eq!(
            (
                empty.overdue_share,
                empty.actionable_share,
                empty.median_ack
            ),
            (None, None, None)
        );
    }

    #[test]
    fn cold_cases_are_counted_apart() {
        let p = CasePeriod {
            received: 30,
            registered: 20,
            solved: vec![
                SolvedCase {
                    registered_on: date!(2026 - 01 - 10),
                    solved_on: date!(2026 - 03 - 01),
                },
                SolvedCase {
                    registered_on: date!(2025 - 03 - 02),
                    solved_on: date!(2026 - 03 - 01),
                },
                SolvedCase {
                    registered_on: date!(2025 - 03 - 01),
                    solved_on: date!(2026 - 03 - 01),
                },
                SolvedCase {
                    registered_on: date!(2019 - 07 - 01),
                    solved_on: date!(2026 - 05 - 01),
                },
            ],
            people_rescued: 9,
            suspects_caught: 14,
            gangs_broken_up: 2,
        };
        let k = CaseKpis::compute(&p, ColdCasePolicy::default()).unwrap();
        assert_eq!((k.solved, k.cold_solved), (2, 2));
        assert_eq!(k.clearance_rate, Rate::new(2, 20));
        assert_eq!(
            (k.people_rescued, k.suspects_caught, k.gangs_broken_up),
            (9, 14, 2)
        );

        let k5 = CaseKpis::compute(&p, ColdCasePolicy { min_years: 5 }).unwrap();
        assert_eq!((k5.solved, k5.cold_solved), (3, 1));

        let none_registered = CasePeriod {
            registered: 0,
            ..p.clone()
        };
        assert_eq!(
            CaseKpis::compute(&none_registered, ColdCasePolicy::default())
                .unwrap()
                .clearance_rate,
            None
        );

        let bad = CasePeriod {
            solved: vec![SolvedCase {
                registered_on: date!(2026 - 03 - 02),
                solved_on: date!(2026 - 03 - 01),
            }],
            ..CasePeriod::default()
        };
        assert_eq!(
            CaseKpis::compute(&bad, ColdCasePolicy::default()),
            Err(KpiError::SolvedBeforeRegistered { index: 0 })
        );
    }

    #[test]
    fn leap_day_registration_completes_its_year_on_1_march() {
        let policy = ColdCasePolicy::default();
        assert!(!policy.is_cold(date!(2024 - 02 - 29), date!(2025 - 02 - 28)));
        assert!(policy.is_cold(date!(2024 - 02 - 29), date!(2025 - 03 - 01)));
    }

    #[test]
    fn year_over_year_by_hand() {
        let y = year_over_year(120, 100);
        assert_eq!((y.change, y.relative), (20, Some(0.2)));
        let y = year_over_year(75, 100);
        assert_eq!((y.change, y.relative), (-25, Some(-0.25)));
        let y = year_over_year(5, 0);
        assert_eq!((y.change, y.relative), (5, None));
        assert_eq!(year_over_year(u64::MAX, 0).change, i64::MAX);
        assert_eq!(year_over_year(0, u64::MAX).change, i64::MIN);
    }

    #[test]
    fn rate_change_in_points() {
        let cur = Rate::new(45, 60);
        let prev = Rate::new(35, 50);
        let pts = rate_change_points(cur, prev).unwrap();
        assert!((pts - 5.0).abs() < 1e-9, "{pts}");
        assert_eq!(rate_change_points(cur, None), None);
        assert_eq!(rate_change_points(None, prev), None);
    }

    #[test]
    fn rising_every_year() {
        let r = |n, d| Rate::new(n, d);
        assert!(rises_every_year(&[r(60, 100), r(13, 20), r(7, 10)]));
        assert!(!rises_every_year(&[r(60, 100), r(3, 5), r(7, 10)]));
        assert!(!rises_every_year(&[r(60, 100), None, r(7, 10)]));
        assert!(!rises_every_year(&[r(7, 10), r(6, 10)]));
        assert!(!rises_every_year(&[r(7, 10)]));
        assert!(!rises_every_year(&[]));
    }

    #[test]
    fn victims_grouped_by_sex_age_and_form() {
        let g = |sex, category, exploitation| VictimGroup {
            sex,
            category,
            exploitation,
        };
        let a = g(
            Sex::Female,
            VictimCategory::Woman,
            ExploitationForm::ForcedMarriage,
        );
        let b = g(
            Sex::Male,
            VictimCategory::Infant,
            ExploitationForm::IllegalAdoption,
        );
        let c = g(
            Sex::Female,
            VictimCategory::Infant,
            ExploitationForm::IllegalAdoption,
        );
        let out = victims_by_group(&[a, b, a, c, a, b]);
        assert_eq!(out, vec![(c, 1), (a, 3), (b, 2)]);
        assert!(victims_by_group(&[]).is_empty());
    }
}
