//! Supervision (督办) of serious and serial cases, key areas (重点地区) under
//! rectification, and special operations (专项行动).
//!
//! The action plan asks that major and serial cases be supervised and coordinated, that
//! the places where trafficking is likely be comprehensively rectified, and that regional
//! special operations be run. Supervision is a level, a deadline and a log of
//! instructions; a key area moves from listed to delisted through rectification; a
//! special operation is a date range over a set of divisions, and a case counts toward it
//! when it happened inside both.

use std::fmt;

use time::{Date, OffsetDateTime};

use super::CaseId;
use crate::divisions::{self, DivisionCode, Level};
use crate::ids::{UserId, is_bidi_control};

fn check_text(s: &str, min: usize, max: usize) -> Result<String, TextError> {
    let t = s.trim();
    if let Some(p) = t
        .chars()
        .position(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
    {
        return Err(TextError::Control(p + 1));
    }
    let n = t.chars().count();
    if n < min || n > max {
        return Err(TextError::Length(n));
    }
    Ok(t.to_owned())
}

enum TextError {
    Length(usize),
    Control(usize),
}

/// Who supervises a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SupervisionLevel {
    /// 市级督办: the city bureau (or the joint-conference office).
    City,
    /// 省级督办: the provincial department.
    Province,
    /// 公安部督办: the Ministry of Public Security.
    Ministry,
}

impl SupervisionLevel {
    pub fn id(self) -> &'static str {
        match self {
            SupervisionLevel::City => "city",
            SupervisionLevel::Province => "province",
            SupervisionLevel::Ministry => "ministry",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            SupervisionLevel::City => "市级督办",
            SupervisionLevel::Province => "省级督办",
            SupervisionLevel::Ministry => "公安部督办",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            SupervisionLevel::City => "supervised by the city",
            SupervisionLevel::Province => "supervised by the province",
            SupervisionLevel::Ministry => "supervised by the Ministry",
        }
    }
}

impl fmt::Display for SupervisionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One entry of the instructions log (督办批示).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub at: OffsetDateTime,
    pub author: UserId,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupervisionError {
    #[error("the supervision deadline {deadline} must lie after the day it opens, {opened_on}")]
    DeadlineNotAfterOpening { opened_on: Date, deadline: Date },
    #[error("an instruction has 1 to {max} characters, found {found}", max = Supervision::MAX_INSTRUCTION_CHARS)]
    InstructionLength { found: usize },
    #[error("character {position} of the instruction is a control character")]
    InstructionControl { position: usize },
    #[error("an instruction cannot be dated before the last one in the log")]
    InstructionOutOfOrder,
    #[error("the supervision was concluded; open a new one to supervise again")]
    Concluded,
    #[error("supervision can only be raised to a higher level than {current}")]
    NotHigherLevel { current: SupervisionLevel },
    #[error("supervision cannot conclude before the day it opened")]
    ConcludedBeforeOpening,
}

impl SupervisionError {
    pub fn code(&self) -> &'static str {
        match self {
            SupervisionError::DeadlineNotAfterOpening { .. } => {
                "supervision.deadline_not_after_opening"
            }
            SupervisionError::InstructionLength { .. } => "supervision.instruction_length",
            SupervisionError::InstructionControl { .. } => "supervision.instruction_control",
            SupervisionError::InstructionOutOfOrder => "supervision.instruction_out_of_order",
            SupervisionError::Concluded => "supervision.concluded",
            SupervisionError::NotHigherLevel { .. } => "supervision.not_higher_level",
            SupervisionError::ConcludedBeforeOpening => "supervision.concluded_before_opening",
        }
    }
}

/// The supervision of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervision {
    case_id: CaseId,
    level: SupervisionLevel,
    opened_on: Date,
    deadline: Date,
    instructions: Vec<Instruction>,
    concluded_on: Option<Date>,
}

impl Supervision {
    pub const MAX_INSTRUCTION_CHARS: usize = 2000;

    pub fn open(
        case_id: CaseId,
        level: SupervisionLevel,
        opened_on: Date,
        deadline: Date,
    ) -> Result<Supervision, SupervisionError> {
        if deadline <= opened_on {
            return Err(SupervisionError::DeadlineNotAfterOpening {
                opened_on,
                deadline,
            });
        }
        Ok(Supervision {
            case_id,
            level,
            opened_on,
            deadline,
            instructions: Vec::new(),
            concluded_on: None,
        })
    }

    pub fn case_id(&self) -> &CaseId {
        &self.case_id
    }
    pub fn level(&self) -> SupervisionLevel {
        self.level
    }
    pub fn opened_on(&self) -> Date {
        self.opened_on
    }
    pub fn deadline(&self) -> Date {
        self.deadline
    }
    pub fn instructions(&self) -> &[Instruction] {
        &self.instructions
    }
    pub fn concluded_on(&self) -> Option<Date> {
        self.concluded_on
    }

    /// Adds an instruction to the log. The log is append-only and in time order, so that
    /// it reads as what was asked and when.
    pub fn instruct(
        &mut self,
        author: UserId,
        text: &str,
        at: OffsetDateTime,
    ) -> Result<(), SupervisionError> {
        if self.concluded_on.is_some() {
            return Err(SupervisionError::Concluded);
        }
        let text = check_text(text, 1, Self::MAX_INSTRUCTION_CHARS).map_err(|e| match e {
            TextError::Length(found) => SupervisionError::InstructionLength { found },
            TextError::Control(position) => SupervisionError::InstructionControl { position },
        })?;
        if self.instructions.last().is_some_and(|last| at < last.at) {
            return Err(SupervisionError::InstructionOutOfOrder);
        }
        self.instructions.push(Instruction { at, author, text });
        Ok(())
    }

    /// Hands the supervision to a higher level, which may set a new deadline.
    pub fn raise(
        &mut self,
        level: SupervisionLevel,
        deadline: Option<Date>,
    ) -> Result<(), SupervisionError> {
        if self.concluded_on.is_some() {
            return Err(SupervisionError::Concluded);
        }
        if level <= self.level {
            return Err(SupervisionError::NotHigherLevel {
                current: self.level,
            });
        }
        if let Some(d) = deadline {
            if d <= self.opened_on {
                return Err(SupervisionError::DeadlineNotAfterOpening {
                    opened_on: self.opened_on,
                    deadline: d,
                });
            }
            self.deadline = d;
        }
        self.level = level;
        Ok(())
    }

    pub fn conclude(&mut self, on: Date) -> Result<(), SupervisionError> {
        if self.concluded_on.is_some() {
            return Err(SupervisionError::Concluded);
        }
        if on < self.opened_on {
            return Err(SupervisionError::ConcludedBeforeOpening);
        }
        self.concluded_on = Some(on);
        Ok(())
    }

    /// Whether the deadline was missed: still open after it, or concluded after it.
    pub fn is_overdue(&self, today: Date) -> bool {
        match self.concluded_on {
            Some(on) => on > self.deadline,
            None => today > self.deadline,
        }
    }
}

/// Where a key area stands in its rectification (整治).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RectificationStatus {
    /// 列入: listed as a key area.
    Listed,
    /// 整治中.
    Rectifying,
    /// 已整治: rectified, awaiting acceptance.
    Rectified,
    /// 摘帽: taken off the list.
    Delisted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAreaEvent {
    StartRectification,
    ConfirmRectified,
    Delist,
}

impl RectificationStatus {
    pub fn id(self) -> &'static str {
        match self {
            RectificationStatus::Listed => "listed",
            RectificationStatus::Rectifying => "rectifying",
            RectificationStatus::Rectified => "rectified",
            RectificationStatus::Delisted => "delisted",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RectificationStatus::Listed => "已列入",
            RectificationStatus::Rectifying => "整治中",
            RectificationStatus::Rectified => "已整治",
            RectificationStatus::Delisted => "已摘帽",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            RectificationStatus::Listed => "listed",
            RectificationStatus::Rectifying => "being rectified",
            RectificationStatus::Rectified => "rectified",
            RectificationStatus::Delisted => "delisted",
        }
    }

    /// The one event each status accepts.
    pub fn next_event(self) -> Option<KeyAreaEvent> {
        match self {
            RectificationStatus::Listed => Some(KeyAreaEvent::StartRectification),
            RectificationStatus::Rectifying => Some(KeyAreaEvent::ConfirmRectified),
            RectificationStatus::Rectified => Some(KeyAreaEvent::Delist),
            RectificationStatus::Delisted => None,
        }
    }

    pub fn apply(self, event: KeyAreaEvent) -> Result<RectificationStatus, KeyAreaError> {
        match (self, event) {
            (RectificationStatus::Listed, KeyAreaEvent::StartRectification) => {
                Ok(RectificationStatus::Rectifying)
            }
            (RectificationStatus::Rectifying, KeyAreaEvent::ConfirmRectified) => {
                Ok(RectificationStatus::Rectified)
            }
            (RectificationStatus::Rectified, KeyAreaEvent::Delist) => {
                Ok(RectificationStatus::Delisted)
            }
            _ => Err(KeyAreaError::NotAllowed { from: self, event }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyAreaError {
    #[error("a key area's name has 2 to 100 characters, found {found}")]
    NameLength { found: usize },
    #[error("character {position} of the key area's name is a control character")]
    NameControl { position: usize },
    #[error("a key area that is {} cannot take {event:?}", .from.id())]
    NotAllowed {
        from: RectificationStatus,
        event: KeyAreaEvent,
    },
    #[error("a status change cannot be dated before the previous one")]
    OutOfOrder,
}

impl KeyAreaError {
    pub fn code(&self) -> &'static str {
        match self {
            KeyAreaError::NameLength { .. } => "key_area.name_length",
            KeyAreaError::NameControl { .. } => "key_area.name_control",
            KeyAreaError::NotAllowed { .. } => "key_area.transition.not_allowed",
            KeyAreaError::OutOfOrder => "key_area.out_of_order",
        }
    }
}

/// A place where trafficking is likely (重点地区), with its rectification history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyArea {
    division: DivisionCode,
    name: String,
    /// Every status with the day it began, oldest first; never empty.
    history: Vec<(RectificationStatus, Date)>,
}

impl KeyArea {
    /// Lists an area: the division it lies in and how people name it (火车站周边, a
    /// village, a labour market).
    pub fn list(division: DivisionCode, name: &str, on: Date) -> Result<KeyArea, KeyAreaError> {
        let name = check_text(name, 2, 100).map_err(|e| match e {
            TextError::Length(found) => KeyAreaError::NameLength { found },
            TextError::Control(position) => KeyAreaError::NameControl { position },
        })?;
        Ok(KeyArea {
            division,
            name,
            history: vec![(RectificationStatus::Listed, on)],
        })
    }

    pub fn division(&self) -> DivisionCode {
        self.division
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn history(&self) -> &[(RectificationStatus, Date)] {
        &self.history
    }
    pub fn status(&self) -> RectificationStatus {
        self.history
            .last()
            .map_or(RectificationStatus::Listed, |(s, _)| *s)
    }
    /// The day the current status began.
    pub fn since(&self) -> Date {
        self.history.last().map_or(Date::MIN, |(_, d)| *d)
    }

    pub fn apply(&mut self, event: KeyAreaEvent, on: Date) -> Result<(), KeyAreaError> {
        let next = self.status().apply(event)?;
        if on < self.since() {
            return Err(KeyAreaError::OutOfOrder);
        }
        self.history.push((next, on));
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperationError {
    #[error("an operation's name has 2 to 100 characters, found {found}")]
    NameLength { found: usize },
    #[error("character {position} of the operation's name is a control character")]
    NameControl { position: usize },
    #[error("the operation ends ({ends}) before it starts ({starts})")]
    EndsBeforeStart { starts: Date, ends: Date },
    #[error("an operation covers at least one division")]
    NoArea,
}

impl OperationError {
    pub fn code(&self) -> &'static str {
        match self {
            OperationError::NameLength { .. } => "operation.name_length",
            OperationError::NameControl { .. } => "operation.name_control",
            OperationError::EndsBeforeStart { .. } => "operation.ends_before_start",
            OperationError::NoArea => "operation.no_area",
        }
    }
}

/// A special operation (专项行动): a named campaign over a date range (both days
/// included) and a set of divisions of any level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialOperation {
    name: String,
    starts: Date,
    ends: Date,
    areas: Vec<DivisionCode>,
}

impl SpecialOperation {
    pub fn new(
        name: &str,
        starts: Date,
        ends: Date,
        areas: Vec<DivisionCode>,
    ) -> Result<SpecialOperation, OperationError> {
        let name = check_text(name, 2, 100).map_err(|e| match e {
            TextError::Length(found) => OperationError::NameLength { found },
            TextError::Control(position) => OperationError::NameControl { position },
        })?;
        if ends < starts {
            return Err(OperationError::EndsBeforeStart { starts, ends });
        }
        if areas.is_empty() {
            return Err(OperationError::NoArea);
        }
        let mut areas = areas;
        areas.sort();
        areas.dedup();
        Ok(SpecialOperation {
            name,
            starts,
            ends,
            areas,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn starts(&self) -> Date {
        self.starts
    }
    pub fn ends(&self) -> Date {
        self.ends
    }
    pub fn areas(&self) -> &[DivisionCode] {
        &self.areas
    }
}

/// Whether `inner` lies in `outer`: the same division, a county of a prefecture, or any
/// division of a province. Prefectures are taken as recorded for `inner`'s current (or
/// last) period, so a county that moved between cities counts for its city of today.
pub fn division_within(inner: DivisionCode, outer: DivisionCode) -> bool {
    if inner == outer {
        return true;
    }
    match divisions::lookup(outer).map(|d| d.level()) {
        Some(Level::Province) => inner.province() == outer,
        Some(Level::Prefecture) => inner.prefecture() == Some(outer),
        // A "市辖区" code covers the city's districts but is no area of its own here.
        Some(Level::County) | None => false,
    }
}

/// Whether a case that happened on `case_date` in `case_division` counts toward the
/// operation: inside its dates (both ends included) and inside one of its areas.
pub fn counts_toward(
    operation: &SpecialOperation,
    case_date: Date,
    case_division: DivisionCode,
) -> bool {
    (operation.starts..=operation.ends).contains(&case_date)
        && operation
            .areas
            .iter()
            .any(|&area| division_within(case_division, area))
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    #[test]
    fn supervision_log_and_deadline() {
        let mut s = Supervision::open(
            CaseId::new("c1"),
            SupervisionLevel::City,
            date!(2026 - 03 - 01),
            date!(2026 - 04 - 30),
        )
        .unwrap();
        s.instruct(
            UserId::new("office"),
            "  请于4月底前抓获主要嫌疑人  ",
            datetime!(2026-03-02 09:00 +8),
        )
        .unwrap();
        assert_eq!(s.instructions()[0].text, "请于4月底前抓获主要嫌疑人");
        assert_eq!(
            s.instruct(
                UserId::new("office"),
                "补充",
                datetime!(2026-03-01 09:00 +8)
            ),
            Err(SupervisionError::InstructionOutOfOrder)
        );
        assert_eq!(
            s.instruct(UserId::new("office"), "   ", datetime!(2026-03-03 09:00 +8)),
            Err(SupervisionError::InstructionLength { found: 0 })
        );
        assert_eq!(
            s.instruct(
                UserId::new("office"),
                "a\u{1b}b",
                datetime!(2026-03-03 09:00 +8)
            )
            .unwrap_err()
            .code(),
            "supervision.instruction_control"
        );
        assert!(!s.is_overdue(date!(2026 - 04 - 30)));
        assert!(s.is_overdue(date!(2026 - 05 - 01)));

        assert_eq!(
            s.raise(SupervisionLevel::City, None),
            Err(SupervisionError::NotHigherLevel {
                current: SupervisionLevel::City
            })
        );
        s.raise(SupervisionLevel::Province, Some(date!(2026 - 06 - 30)))
            .unwrap();
        assert_eq!(s.level(), SupervisionLevel::Province);
        assert!(!s.is_overdue(date!(2026 - 05 - 01)));
        assert_eq!(
            s.raise(SupervisionLevel::City, None).unwrap_err().code(),
            "supervision.not_higher_level"
        );

        assert_eq!(
            s.conclude(date!(2026 - 02 - 01)),
            Err(SupervisionError::ConcludedBeforeOpening)
        );
        s.conclude(date!(2026 - 06 - 15)).unwrap();
        assert!(!s.is_overdue(date!(2030 - 01 - 01)));
        assert_eq!(
            s.conclude(date!(2026 - 06 - 16)),
            Err(SupervisionError::Concluded)
        );
        assert_eq!(
            s.instruct(
                UserId::new("office"),
                "再次督办",
                datetime!(2026-07-01 09:00 +8)
            ),
            Err(SupervisionError::Concluded)
        );
    }

    #[test]
    fn supervision_needs_a_later_deadline() {
        let e = Supervision::open(
            CaseId::new("c1"),
            SupervisionLevel::Ministry,
            date!(2026 - 03 - 01),
            date!(2026 - 03 - 01),
        )
        .unwrap_err();
        assert_eq!(e.code(), "supervision.deadline_not_after_opening");
    }

    #[test]
    fn late_conclusion_is_overdue() {
        let mut s = Supervision::open(
            CaseId::new("c1"),
            SupervisionLevel::City,
            date!(2026 - 03 - 01),
            date!(2026 - 03 - 31),
        )
        .unwrap();
        s.conclude(date!(2026 - 04 - 02)).unwrap();
        assert!(s.is_overdue(date!(2026 - 04 - 02)));
    }

    #[test]
    fn key_area_moves_one_way() {
        let mut area =
            KeyArea::list(code("430203"), "株洲火车站周边", date!(2026 - 01 - 10)).unwrap();
        assert_eq!(area.status(), RectificationStatus::Listed);
        assert_eq!(
            area.apply(KeyAreaEvent::Delist, date!(2026 - 02 - 01)),
            Err(KeyAreaError::NotAllowed {
                from: RectificationStatus::Listed,
                event: KeyAreaEvent::Delist
            })
        );
        assert_eq!(
            area.apply(KeyAreaEvent::StartRectification, date!(2026 - 01 - 09)),
            Err(KeyAreaError::OutOfOrder)
        );
        area.apply(KeyAreaEvent::StartRectification, date!(2026 - 01 - 20))
            .unwrap();
        area.apply(KeyAreaEvent::ConfirmRectified, date!(2026 - 09 - 30))
            .unwrap();
        area.apply(KeyAreaEvent::Delist, date!(2026 - 12 - 31))
            .unwrap();
        assert_eq!(area.status(), RectificationStatus::Delisted);
        assert_eq!(area.since(), date!(2026 - 12 - 31));
        assert_eq!(area.history().len(), 4);
        assert_eq!(RectificationStatus::Delisted.next_event(), None);
        assert_eq!(
            area.apply(KeyAreaEvent::StartRectification, date!(2027 - 01 - 01))
                .unwrap_err()
                .code(),
            "key_area.transition.not_allowed"
        );
        assert_eq!(
            KeyArea::list(code("430203"), "站", date!(2026 - 01 - 10)).unwrap_err(),
            KeyAreaError::NameLength { found: 1 }
        );
    }

    #[test]
    fn every_status_accepts_exactly_its_next_event() {
        use KeyAreaEvent::*;
        use RectificationStatus::*;
        for s in [Listed, Rectifying, Rectified, Delisted] {
            for e in [StartRectification, ConfirmRectified, Delist] {
                assert_eq!(s.apply(e).is_ok(), s.next_event() == Some(e), "{s:?} {e:?}");
            }
        }
    }

    #[test]
    fn containment() {
        assert!(division_within(code("430203"), code("430203")));
        assert!(division_within(code("430203"), code("430200")));
        assert!(division_within(code("430203"), code("430000")));
        assert!(division_within(code("430281"), code("430200")));
        assert!(!division_within(code("430302"), code("430200")));
        assert!(!division_within(code("430200"), code("430203")));
        assert!(!division_within(code("440304"), code("430000")));
        // A county directly under its province lies in the province but in no prefecture.
        assert!(division_within(code("429004"), code("420000")));
    }

    #[test]
    fn operation_counting() {
        let op = SpecialOperation::new(
            "春季打拐专项行动",
            date!(2026 - 03 - 01),
            date!(2026 - 05 - 31),
            vec![code("430200"), code("430302"), code("430200")],
        )
        .unwrap();
        assert_eq!(op.areas().len(), 2);
        assert!(counts_toward(&op, date!(2026 - 03 - 01), code("430223")));
        assert!(counts_toward(&op, date!(2026 - 05 - 31), code("430302")));
        assert!(!counts_toward(&op, date!(2026 - 02 - 28), code("430223")));
        assert!(!counts_toward(&op, date!(2026 - 06 - 01), code("430223")));
        assert!(!counts_toward(&op, date!(2026 - 04 - 01), code("430304")));
        assert!(!counts_toward(&op, date!(2026 - 04 - 01), code("440304")));
    }

    #[test]
    fn operation_errors() {
        let d = date!(2026 - 03 - 01);
        assert_eq!(
            SpecialOperation::new("行动", d, date!(2026 - 02 - 28), vec![code("430200")])
                .unwrap_err()
                .code(),
            "operation.ends_before_start"
        );
        assert_eq!(
            SpecialOperation::new("行动", d, d, vec![]).unwrap_err(),
            OperationError::NoArea
        );
        assert_eq!(
            SpecialOperation::new(" ", d, d, vec![code("430200")]).unwrap_err(),
            OperationError::NameLength { found: 0 }
        );
        assert!(SpecialOperation::new("行动", d, d, vec![code("430200")]).is_ok());
    }
}
