//! The figures of the work on cases per period and area: received (受案), registered
//! (立案数), solved (破案数) with cold cases counted apart, the clearance rate (破案率 =
//! solved ÷ registered, by the domain's KPI rules), people rescued, suspects caught and
//! gangs broken up.

use fanguai_domain::cases::{ExploitationForm, victim_category};
use fanguai_domain::ids::Sex;
use fanguai_domain::kpi::{
    CaseKpis, CasePeriod, ColdCasePolicy, DecisionCounts, SolvedCase, TipKpis, TipPeriod,
    VictimGroup, rate_change_points, victims_by_group, year_over_year,
};
use fanguai_domain::policy::{Action, Decision, Scope};
use fanguai_domain::role::Role;
use fanguai_store::cases::{self as repo, FigureFilter};
use fanguai_store::tips::{self as tip_repo, TipFigureFilter};
use serde::{Deserialize, Serialize};

use super::CaseDesk;
use super::records::{date_text, input_date, stored_date, today};
use crate::error::{Result, ServiceError};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct FigureQuery {
    /// First day, `YYYY-MM-DD`; blank: the first of this year.
    #[serde(default)]
    pub from: String,
    /// Last day, included; blank: today.
    #[serde(default)]
    pub to: String,
    /// One member unit's cases; blank: the whole city (office and convenor), or the
    /// reader's own unit for everyone else.
    #[serde(default)]
    pub unit: String,
    /// A division code prefix: `4302` a prefecture, `430202` a county; blank: all.
    #[serde(default)]
    pub area: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FiguresView {
    pub from: String,
    pub to: String,
    pub unit: Option<String>,
    pub area: Option<String>,
    pub received: u64,
    pub registered: u64,
    pub solved: u64,
    pub cold_solved: u64,
    /// Solved ÷ registered in per cent; `None` when nothing was registered.
    pub clearance_rate_percent: Option<f64>,
    pub rescued: u64,
    pub caught: u64,
    pub gangs_broken_up: u64,
    /// Victims of the cases registered in the period by sex, category by age (infant,
    /// toddler, child, woman, man) and form of exploitation, for the international view.
    pub victims: Vec<VictimGroupView>,
    /// Victims of those cases whose sex or age is not known yet.
    pub victims_unknown: u64,
    /// The same days one year earlier.
    pub previous: YearBefore,
    pub registered_change: i64,
    pub solved_change: i64,
    /// Change of the clearance rate in percentage points; `None` when either year
    /// registered nothing.
    pub rate_change_points: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearBefore {
    pub from: String,
    pub to: String,
    pub registered: u64,
    pub solved: u64,
    pub clearance_rate_percent: Option<f64>,
}

/// The same calendar day one year earlier; 29 February becomes 28 February.
fn year_earlier(d: time::Date) -> time::Date {
    d.replace_year(d.year() - 1)
        .or_else(|_| time::Date::from_calendar_date(d.year() - 1, d.month(), 28))
        .unwrap_or(d)
}

async fn kpis_of(c: &mut fanguai_store::Conn, filter: &FigureFilter) -> Result<CaseKpis> {
    let counts = repo::figures(c, filter).await?;
    let solved = counts
        .solved
        .iter()
        .map(|(r, s)| {
            Ok(SolvedCase {
                registered_on: stored_date(r)?,
                solved_on: stored_date(s)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let to_u64 = |n: i64| u64::try_from(n).unwrap_or(0);
    CaseKpis::compute(
        &CasePeriod {
            received: to_u64(counts.accepted),
            registered: to_u64(counts.registered),
            solved,
            people_rescued: to_u64(counts.rescued),
            suspects_caught: to_u64(counts.caught),
            gangs_broken_up: to_u64(counts.gangs_broken_up),
        },
        ColdCasePolicy::default(),
    )
    .map_err(ServiceError::internal)
}

#[derive(Debug, Clone, Serialize)]
pub struct VictimGroupView {
    pub sex: &'static str,
    pub category: &'static str,
    pub category_zh: &'static str,
    pub category_en: &'static str,
    pub exploitation: &'static str,
    pub exploitation_zh: &'static str,
    pub exploitation_en: &'static str,
    pub count: u64,
}

/// The group of one victim: the category follows the domain's rule on the age in
/// completed years on the day of the crime (a birth date that many years before that
/// day); the form of exploitation is the case's first, or `other` when none is recorded.
fn group_of(v: &repo::VictimFigureRow) -> Result<Option<VictimGroup>> {
    let sex = match v.sex.as_deref() {
        Some("female") => Sex::Female,
        Some("male") => Sex::Male,
        _ => return Ok(None),
    };
    let Some(age) = v.age_at_event.and_then(|a| i32::try_from(a).ok()) else {
        return Ok(None);
    };
    let event = stored_date(&v.occurred_on)?;
    let year = event.year() - age;
    let birth = event
        .replace_year(year)
        .or_else(|_| time::Date::from_calendar_date(year, time::Month::February, 28))
        .map_err(ServiceError::internal)?;
    let category = victim_category(birth, event, sex).map_err(ServiceError::internal)?;
    let exploitation = v
        .exploitation
        .first()
        .and_then(|e| ExploitationForm::ALL.into_iter().find(|f| f.id() == e))
        .unwrap_or(ExploitationForm::Other);
    Ok(Some(VictimGroup {
        sex,
        category,
        exploitation,
    }))
}

/// Figures of the tips received in a period and area: counts only, no tip's content
/// and nothing of any reporter.
#[derive(Debug, Clone, Serialize)]
pub struct TipFiguresView {
    pub from: String,
    pub to: String,
    pub unit: Option<String>,
    pub area: Option<String>,
    pub received: u64,
    /// By the way the tip came in, in the order of the source ids.
    pub by_source: Vec<CountView>,
    /// `urgent` and `normal`.
    pub by_urgency: Vec<CountView>,
    /// What became of the tips received in the period, as of now.
    pub decisions: TipDecisionsView,
    pub acknowledged_on_time: u64,
    pub acknowledged_late: u64,
    /// Not acknowledged and past the deadline.
    pub unacknowledged_overdue: u64,
    /// Not acknowledged and still within the deadline.
    pub unacknowledged_in_time: u64,
    /// Late or overdue ÷ received, in per cent; `None` when nothing was received.
    pub overdue_share_percent: Option<f64>,
    /// Opened or joined a case ÷ decided, in per cent; `None` when nothing was decided.
    pub actionable_share_percent: Option<f64>,
    /// Receipt to acknowledgement, in whole minutes; `None` when nothing was acknowledged.
    pub median_ack_minutes: Option<i64>,
    pub p90_ack_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountView {
    pub key: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TipDecisionsView {
    pub open_case: u64,
    pub join_case: u64,
    pub refer: u64,
    pub no_action: u64,
    pub undecided: u64,
}

/// The checked period, unit and area of a figures query; the same rules for case and
/// tip figures.
struct Scoped {
    from: time::Date,
    to: time::Date,
    unit: Option<String>,
    area: Option<String>,
}

impl CaseDesk {
    async fn scoped(&self, q: &FigureQuery, target: &str) -> Result<Scoped> {
        let day = today(&self.app);
        let from = match q.from.trim() {
            "" => day
                .replace_month(time::Month::January)
                .and_then(|d| d.replace_day(1))
                .unwrap_or(day),
            s => input_date("from", s)?,
        };
        let to = match q.to.trim() {
            "" => day,
            s => input_date("to", s)?,
        };
        if to < from {
            return Err(ServiceError::invalid("to", "figures.period.reversed"));
        }
        let area = q.area.trim();
        if !area.is_empty() && (!area.chars().all(|c| c.is_ascii_digit()) || area.len() > 6) {
            return Err(ServiceError::invalid("area", "figures.area.invalid"));
        }
        let city_reader = self.has_role(Role::Office) || self.has_role(Role::Convenor);
        let unit = match q.unit.trim() {
            "" if city_reader => None,
            "" => Some(self.actor.unit_id.clone()),
            u => Some(u.to_owned()),
        };
        let scope = match &unit {
            Some(u) => Scope::Unit(u.clone().into()),
            None => Scope::City,
        };
        if let Decision::Deny(r) = self.decide(&Action::ViewFigures { scope }) {
            return Err(self
                .refuse("figures.view", target, unit.as_deref().unwrap_or("city"), r)
                .await);
        }
        Ok(Scoped {
            from,
            to,
            unit,
            area: (!area.is_empty()).then(|| area.to_owned()),
        })
    }

    /// Figures of the tips received in a period and area, for the whole city or one unit
    /// under the same rule as the case figures.
    pub async fn tip_figures(&self, q: &FigureQuery) -> Result<TipFiguresView> {
        let s = self.scoped(q, "tip_figures").await?;
        // Days are the city's (UTC+8): a day runs from its midnight to the next.
        let start = |d: time::Date| {
            d.midnight()
                .assume_offset(time::macros::offset!(+8))
                .unix_timestamp()
                * 1000
        };
        let filter = TipFigureFilter {
            from_ms: start(s.from),
            to_ms: start(s.to.next_day().unwrap_or(s.to)),
            owner_unit: s.unit.clone(),
            division_prefix: s.area.clone(),
            now_ms: self.app.now_ms(),
        };
        let mut tx = self.app.store().begin().await?;
        let counts = tip_repo::figures(&mut tx, &filter).await?;
        self.audit(
            &mut tx,
            "figures.view",
            "tip_figures",
            s.unit.as_deref().unwrap_or("city"),
            format!("{} to {}", date_text(s.from), date_text(s.to)),
        )
        .await?;
        tx.commit().await?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let decided = |k: &str| {
            counts
                .by_decision
                .iter()
                .find(|(d, _)| d == k)
                .map_or(0, |(_, c)| n(*c))
        };
        let decisions = TipDecisionsView {
            open_case: decided("open_case"),
            join_case: decided("join_case"),
            refer: decided("refer"),
            no_action: decided("no_action"),
            undecided: n(counts.undecided),
        };
        let kpis = TipKpis::compute(&TipPeriod {
            received: n(counts.received),
            decided: DecisionCounts {
                open_case: decisions.open_case,
                join_case: decisions.join_case,
                refer: decisions.refer,
                no_action: decisions.no_action,
            },
            overdue: n(counts.ack_late) + n(counts.unacknowledged_overdue),
            ack_times: counts
                .ack_durations_ms
                .iter()
                .map(|ms| time::Duration::milliseconds(*ms))
                .collect(),
        });
        let list = |v: &[(String, i64)]| {
            v.iter()
                .map(|(k, c)| CountView {
                    key: k.clone(),
                    count: n(*c),
                })
                .collect()
        };
        Ok(TipFiguresView {
            from: date_text(s.from),
            to: date_text(s.to),
            unit: s.unit,
            area: s.area,
            received: kpis.received,
            by_source: list(&counts.by_source),
            by_urgency: list(&counts.by_urgency),
            decisions,
            acknowledged_on_time: n(counts.ack_on_time),
            acknowledged_late: n(counts.ack_late),
            unacknowledged_overdue: n(counts.unacknowledged_overdue),
            unacknowledged_in_time: n(counts.unacknowledged_in_time),
            overdue_share_percent: kpis.overdue_share.map(|r| r.percent()),
            actionable_share_percent: kpis.actionable_share.map(|r| r.percent()),
            median_ack_minutes: kpis.median_ack.map(|d| d.whole_minutes()),
            p90_ack_minutes: kpis.p90_ack.map(|d| d.whole_minutes()),
        })
    }

    /// Figures for a period and area, for the whole city or one unit as the policy allows.
    pub async fn figures(&self, q: &FigureQuery) -> Result<FiguresView> {
        let s = self.scoped(q, "figures").await?;
        let (from, to, unit) = (s.from, s.to, s.unit);
        let filter = FigureFilter {
            from: date_text(from),
            to: date_text(to),
            owner_unit: unit.clone(),
            division_prefix: s.area,
        };
        let mut tx = self.app.store().begin().await?;
        let kpis = kpis_of(&mut tx, &filter).await?;
        // The same days one year earlier, for the rise the action plan asks of the
        // clearance rate every year.
        let year_before = FigureFilter {
            from: date_text(year_earlier(from)),
            to: date_text(year_earlier(to)),
            ..filter.clone()
        };
        let before = kpis_of(&mut tx, &year_before).await?;
        let mut groups = Vec::new();
        let mut victims_unknown = 0;
        for v in repo::victims_for_figures(&mut tx, &filter).await? {
            match group_of(&v)? {
                Some(g) => groups.push(g),
                None => victims_unknown += 1,
            }
        }
        let victims = victims_by_group(&groups)
            .into_iter()
            .map(|(g, count)| VictimGroupView {
                sex: match g.sex {
                    Sex::Female => "female",
                    Sex::Male => "male",
                },
                category: g.category.id(),
                category_zh: g.category.name_zh(),
                category_en: g.category.name_en(),
                exploitation: g.exploitation.id(),
                exploitation_zh: g.exploitation.name_zh(),
                exploitation_en: g.exploitation.name_en(),
                count,
            })
            .collect();
        self.audit(
            &mut tx,
            "figures.view",
            "figures",
            unit.as_deref().unwrap_or("city"),
            format!("{} to {}", filter.from, filter.to),
        )
        .await?;
        tx.commit().await?;
        Ok(FiguresView {
            from: filter.from,
            to: filter.to,
            unit,
            area: filter.division_prefix,
            received: kpis.received,
            registered: kpis.registered,
            solved: kpis.solved,
            cold_solved: kpis.cold_solved,
            clearance_rate_percent: kpis.clearance_rate.map(|r| r.percent()),
            rescued: kpis.people_rescued,
            caught: kpis.suspects_caught,
            gangs_broken_up: kpis.gangs_broken_up,
            victims,
            victims_unknown,
            previous: YearBefore {
                from: year_before.from,
                to: year_before.to,
                registered: before.registered,
                solved: before.solved,
                clearance_rate_percent: before.clearance_rate.map(|r| r.percent()),
            },
            registered_change: year_over_year(kpis.registered, before.registered).change,
            solved_change: year_over_year(kpis.solved, before.solved).change,
            rate_change_points: rate_change_points(kpis.clearance_rate, before.clearance_rate),
        })
    }
}
