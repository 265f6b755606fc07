//! The city's oversight of the work on cases: key areas (重点地区) and their rectification,
//! special operations (专项行动) with the cases counted under them, and supervision (督办)
//! of major and serial cases with deadlines and a log of instructions. The joint
//! conference's office and convenor manage them; investigators attach their cases to
//! operations.

use fanguai_domain::cases::{
    CaseId, KeyArea, KeyAreaEvent, RectificationStatus, SpecialOperation, Supervision,
    SupervisionLevel, counts_toward,
};
use fanguai_domain::divisions::DivisionCode;
use fanguai_domain::policy::{Action, Decision};
use fanguai_store::Conn;
use fanguai_store::cases::{
    self as repo, InstructionRow, KeyAreaRow, KeyAreaStepRow, OperationRow, SupervisionRow,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::records::{self, date_text, input_date, input_division, stored_date, today};
use super::{CaseDesk, CaseSummary};
use crate::error::{Result, ServiceError};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewKeyArea {
    pub division: String,
    pub name: String,
    /// The day it was listed, `YYYY-MM-DD`; blank for today.
    #[serde(default)]
    pub listed_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyAreaStepView {
    pub status: &'static str,
    pub on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyAreaView {
    pub id: String,
    pub division: String,
    pub place: String,
    pub name: String,
    pub status: &'static str,
    pub status_zh: &'static str,
    pub status_en: &'static str,
    /// The next step's event id, while there is one.
    pub next: Option<&'static str>,
    pub history: Vec<KeyAreaStepView>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewOperation {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Division codes of any level.
    pub areas: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperationView {
    pub id: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub areas: Vec<String>,
    pub cases: Vec<CaseSummary>,
    pub cases_counted: usize,
    pub cases_solved: usize,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewSupervision {
    pub case_id: String,
    /// `city`, `province` or `ministry`.
    pub level: String,
    pub deadline: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstructionView {
    pub at_ms: i64,
    pub author: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupervisionView {
    pub id: String,
    pub case_id: String,
    pub level: &'static str,
    pub level_zh: &'static str,
    pub level_en: &'static str,
    pub opened_on: String,
    pub deadline: String,
    pub concluded_on: Option<String>,
    pub overdue: bool,
    pub instructions: Vec<InstructionView>,
}

const STATUSES: [RectificationStatus; 4] = [
    RectificationStatus::Listed,
    RectificationStatus::Rectifying,
    RectificationStatus::Rectified,
    RectificationStatus::Delisted,
];

fn status_of(s: &str) -> Result<RectificationStatus> {
    STATUSES
        .into_iter()
        .find(|x| x.id() == s)
        .ok_or_else(|| ServiceError::internal(format!("unknown key area status {s:?}")))
}

fn event_id(e: KeyAreaEvent) -> &'static str {
    match e {
        KeyAreaEvent::StartRectification => "start_rectification",
        KeyAreaEvent::ConfirmRectified => "confirm_rectified",
        KeyAreaEvent::Delist => "delist",
    }
}

const LEVELS: [SupervisionLevel; 3] = [
    SupervisionLevel::City,
    SupervisionLevel::Province,
    SupervisionLevel::Ministry,
];

fn level_of(field: &'static str, s: &str) -> Result<SupervisionLevel> {
    LEVELS
        .into_iter()
        .find(|l| l.id() == s.trim())
        .ok_or_else(|| ServiceError::invalid(field, "supervision.level_unknown"))
}

fn at_of(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The domain's key area, replayed from its stored steps.
async fn key_area_of(c: &mut Conn, row: &KeyAreaRow) -> Result<KeyArea> {
    let steps = repo::key_area_history(c, &row.id).await?;
    let division = DivisionCode::parse(&row.division).map_err(ServiceError::internal)?;
    let listed = steps
        .first()
        .map(|s| stored_date(&s.on_date))
        .transpose()?
        .ok_or_else(|| ServiceError::internal("key area without history"))?;
    let mut area = KeyArea::list(division, &row.name, listed).map_err(ServiceError::internal)?;
    for s in steps.iter().skip(1) {
        let event = area
            .status()
            .next_event()
            .ok_or_else(|| ServiceError::internal("key area history past delisting"))?;
        if status_of(&s.status)? != area.status().apply(event).map_err(ServiceError::internal)? {
            return Err(ServiceError::internal("key area history out of order"));
        }
        area.apply(event, stored_date(&s.on_date)?)
            .map_err(ServiceError::internal)?;
    }
    Ok(area)
}

fn key_area_view(row: &KeyAreaRow, area: &KeyArea) -> KeyAreaView {
    let status = area.status();
    KeyAreaView {
        id: row.id.clone(),
        division: row.division.clone(),
        place: fanguai_domain::mask::district_only(area.division()),
        name: area.name().to_owned(),
        status: status.id(),
        status_zh: status.label_zh(),
        status_en: status.label_en(),
        next: status.next_event().map(event_id),
        history: area
            .history()
            .iter()
            .map(|(s, d)| KeyAreaStepView {
                status: s.id(),
                on: date_text(*d),
            })
            .collect(),
    }
}

/// The domain's supervision, replayed from its row and instruction log.
async fn supervision_of(c: &mut Conn, row: &SupervisionRow) -> Result<Supervision> {
    let mut s = Supervision::open(
        CaseId::new(row.case_id.clone()),
        level_of("level", &row.level).map_err(ServiceError::internal)?,
        stored_date(&row.opened_on)?,
        stored_date(&row.deadline)?,
    )
    .map_err(ServiceError::internal)?;
    for i in repo::instructions(c, &row.id).await? {
        s.instruct(i.author_user_id.into(), &i.text, at_of(i.at))
            .map_err(ServiceError::internal)?;
    }
    if let Some(d) = &row.concluded_on {
        s.conclude(stored_date(d)?)
            .map_err(ServiceError::internal)?;
    }
    Ok(s)
}

pub(crate) async fn supervisions_of(
    desk: &CaseDesk,
    c: &mut Conn,
    case_id: Option<&str>,
) -> Result<Vec<SupervisionView>> {
    let mut out = Vec::new();
    let day = today(&desk.app);
    for row in repo::supervisions(c, case_id).await? {
        let s = supervision_of(c, &row).await?;
        let mut instructions = Vec::new();
        for i in repo::instructions(c, &row.id).await? {
            let author = fanguai_store::users::get(c, &i.author_user_id)
                .await?
                .map_or(i.author_user_id.clone(), |u| u.username);
            instructions.push(InstructionView {
                at_ms: i.at,
                author,
                text: i.text,
            });
        }
        out.push(SupervisionView {
            id: row.id.clone(),
            case_id: row.case_id.clone(),
            level: s.level().id(),
            level_zh: s.level().label_zh(),
            level_en: s.level().label_en(),
            opened_on: date_text(s.opened_on()),
            deadline: date_text(s.deadline()),
            concluded_on: s.concluded_on().map(date_text),
            overdue: s.is_overdue(day),
            instructions,
        });
    }
    Ok(out)
}

impl CaseDesk {
    async fn manage(&self, action: &str, record_type: &str, record_id: &str) -> Result<()> {
        match self.decide(&Action::ManageConferenceTasks) {
            Decision::Deny(r) => Err(self.refuse(action, record_type, record_id, r).await),
            _ => Ok(()),
        }
    }

    /// Key areas with their rectification status and history.
    pub async fn key_areas(&self) -> Result<Vec<KeyAreaView>> {
        let mut c = self.app.store().conn().await?;
        let mut out = Vec::new();
        for row in repo::key_areas(&mut c).await? {
            let area = key_area_of(&mut c, &row).await?;
            out.push(key_area_view(&row, &area));
        }
        Ok(out)
    }

    /// Lists a division or place as a key area (重点地区).
    pub async fn add_key_area(&self, k: &NewKeyArea) -> Result<KeyAreaView> {
        self.manage("key_area.add", "key_area", "").await?;
        let division = input_division("division", &k.division)?;
        let on = match k.listed_on.trim() {
            "" => today(&self.app),
            d => input_date("listed_on", d)?,
        };
        let area = KeyArea::list(division, &k.name, on)
            .map_err(|e| ServiceError::invalid("name", e.code()))?;
        let row = KeyAreaRow {
            id: uuid::Uuid::now_v7().to_string(),
            division: division.to_string(),
            name: area.name().to_owned(),
            status: area.status().id().to_owned(),
            created_by: self.actor.user_id.clone(),
            created_at: self.app.now_ms(),
        };
        let mut tx = self.app.store().begin().await?;
        repo::insert_key_area(&mut tx, &row).await?;
        repo::add_key_area_step(
            &mut tx,
            &KeyAreaStepRow {
                key_area_id: row.id.clone(),
                seq: 0,
                status: area.status().id().to_owned(),
                on_date: date_text(on),
                by_user_id: self.actor.user_id.clone(),
                at: self.app.now_ms(),
            },
        )
        .await?;
        self.audit(
            &mut tx,
            "key_area.add",
            "key_area",
            &row.id,
            division.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(key_area_view(&row, &area))
    }

    /// Moves a key area to its next rectification status on a day (blank: today).
    pub async fn advance_key_area(&self, id: &str, on: &str) -> Result<KeyAreaView> {
        self.manage("key_area.advance", "key_area", id).await?;
        let on = match on.trim() {
            "" => today(&self.app),
            d => input_date("on", d)?,
        };
        let mut tx = self.app.store().begin().await?;
        let mut row = repo::key_area(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound("key area"))?;
        let mut area = key_area_of(&mut tx, &row).await?;
        let event = area
            .status()
            .next_event()
            .ok_or_else(|| ServiceError::invalid("status", "key_area.transition.not_allowed"))?;
        area.apply(event, on)
            .map_err(|e| ServiceError::invalid("on", e.code()))?;
        repo::add_key_area_step(
            &mut tx,
            &KeyAreaStepRow {
                key_area_id: id.to_owned(),
                seq: 0,
                status: area.status().id().to_owned(),
                on_date: date_text(on),
                by_user_id: self.actor.user_id.clone(),
                at: self.app.now_ms(),
            },
        )
        .await?;
        row.status = area.status().id().to_owned();
        self.audit(
            &mut tx,
            "key_area.advance",
            "key_area",
            id,
            row.status.clone(),
        )
        .await?;
        tx.commit().await?;
        Ok(key_area_view(&row, &area))
    }

    async fn operation_view(&self, c: &mut Conn, row: &OperationRow) -> Result<OperationView> {
        let mut cases = Vec::new();
        for k in repo::operation_cases(c, &row.id).await? {
            if let Ok((k, sight)) = self.readable(c, &k.id).await? {
                cases.push(self.summary(&k, sight));
            }
        }
        let all = repo::operation_cases(c, &row.id).await?;
        Ok(OperationView {
            id: row.id.clone(),
            name: row.name.clone(),
            starts_on: row.starts_on.clone(),
            ends_on: row.ends_on.clone(),
            areas: row.areas.clone(),
            cases_counted: all.len(),
            cases_solved: all.iter().filter(|k| k.solved_on.is_some()).count(),
            cases,
        })
    }

    /// Special operations, latest first, with the cases counted under each (those the
    /// reader may see) and their results.
    pub async fn operations(&self) -> Result<Vec<OperationView>> {
        let mut c = self.app.store().conn().await?;
        let mut out = Vec::new();
        for row in repo::operations(&mut c).await? {
            out.push(self.operation_view(&mut c, &row).await?);
        }
        Ok(out)
    }

    /// Starts a special operation (专项行动) over dates and areas.
    pub async fn add_operation(&self, o: &NewOperation) -> Result<OperationView> {
        self.manage("operation.add", "special_operation", "")
            .await?;
        let starts = input_date("starts_on", &o.starts_on)?;
        let ends = input_date("ends_on", &o.ends_on)?;
        let mut areas = Vec::new();
        for a in o.areas.iter().filter(|a| !a.trim().is_empty()) {
            areas.push(input_division("areas", a)?);
        }
        let op = SpecialOperation::new(&o.name, starts, ends, areas).map_err(|e| {
            let field = match e.code() {
                "operation.ends_before_start" => "ends_on",
                "operation.no_area" => "areas",
                _ => "name",
            };
            ServiceError::invalid(field, e.code())
        })?;
        let row = OperationRow {
            id: uuid::Uuid::now_v7().to_string(),
            name: op.name().to_owned(),
            starts_on: date_text(op.starts()),
            ends_on: date_text(op.ends()),
            areas: op.areas().iter().map(ToString::to_string).collect(),
            created_by: self.actor.user_id.clone(),
            created_at: self.app.now_ms(),
        };
        let mut tx = self.app.store().begin().await?;
        repo::insert_operation(&mut tx, &row).await?;
        self.audit(
            &mut tx,
            "operation.add",
            "special_operation",
            &row.id,
            row.name.clone(),
        )
        .await?;
        let view = self.operation_view(&mut tx, &row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Counts a case under an operation; the case must have happened inside its dates and
    /// areas. The investigator must be able to write the case.
    pub async fn attach_to_operation(&self, operation_id: &str, case_id: &str) -> Result<()> {
        let tx = self.app.store().begin().await?;
        let (mut tx, row) = self.writable(tx, case_id, "operation.attach").await?;
        let op = repo::operation(&mut tx, operation_id)
            .await?
            .ok_or(ServiceError::NotFound("special operation"))?;
        let areas = op
            .areas
            .iter()
            .map(|a| DivisionCode::parse(a).map_err(ServiceError::internal))
            .collect::<Result<Vec<_>>>()?;
        let domain = SpecialOperation::new(
            &op.name,
            stored_date(&op.starts_on)?,
            stored_date(&op.ends_on)?,
            areas,
        )
        .map_err(ServiceError::internal)?;
        let division = DivisionCode::parse(&row.division).map_err(ServiceError::internal)?;
        if !counts_toward(&domain, stored_date(&row.occurred_on)?, division) {
            return Err(ServiceError::invalid(
                "operation_id",
                "operation.case_outside",
            ));
        }
        repo::attach_case(
            &mut tx,
            operation_id,
            case_id,
            &self.actor.user_id,
            self.app.now_ms(),
        )
        .await
        .map_err(|e| match e {
            fanguai_store::StoreError::Conflict { .. } => {
                ServiceError::Conflict("the case is already counted under this operation".into())
            }
            other => other.into(),
        })?;
        self.audit(
            &mut tx,
            "operation.attach",
            "case",
            case_id,
            operation_id.to_owned(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every supervision (督办), open ones first. For the office and convenor.
    pub async fn supervisions(&self) -> Result<Vec<SupervisionView>> {
        self.manage("supervision.list", "supervision", "").await?;
        let mut c = self.app.store().conn().await?;
        supervisions_of(self, &mut c, None).await
    }

    /// Puts a case under supervision with a deadline.
    pub async fn open_supervision(&self, s: &NewSupervision) -> Result<SupervisionView> {
        self.manage("supervision.open", "case", &s.case_id).await?;
        let level = level_of("level", &s.level)?;
        let deadline = input_date("deadline", &s.deadline)?;
        let opened = today(&self.app);
        Supervision::open(CaseId::new(s.case_id.clone()), level, opened, deadline)
            .map_err(|e| ServiceError::invalid("deadline", e.code()))?;
        let mut tx = self.app.store().begin().await?;
        if repo::get(&mut tx, &s.case_id).await?.is_none() {
            return Err(ServiceError::invalid("case_id", "case.unknown"));
        }
        let row = SupervisionRow {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: s.case_id.clone(),
            level: level.id().to_owned(),
            opened_on: date_text(opened),
            deadline: date_text(deadline),
            concluded_on: None,
            opened_by: self.actor.user_id.clone(),
            created_at: self.app.now_ms(),
        };
        repo::insert_supervision(&mut tx, &row).await?;
        self.audit(
            &mut tx,
            "supervision.open",
            "case",
            &s.case_id,
            level.id().to_owned(),
        )
        .await?;
        let view = self.supervision_view(&mut tx, &row.id).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn supervision_view(&self, c: &mut Conn, id: &str) -> Result<SupervisionView> {
        let row = repo::supervision(c, id)
            .await?
            .ok_or(ServiceError::NotFound("supervision"))?;
        supervisions_of(self, c, Some(&row.case_id))
            .await?
            .into_iter()
            .find(|v| v.id == id)
            .ok_or(ServiceError::NotFound("supervision"))
    }

    /// Appends an instruction to the supervision's log.
    pub async fn instruct(&self, supervision_id: &str, text: &str) -> Result<SupervisionView> {
        self.manage("supervision.instruct", "supervision", supervision_id)
            .await?;
        let mut tx = self.app.store().begin().await?;
        let row = repo::supervision(&mut tx, supervision_id)
            .await?
            .ok_or(ServiceError::NotFound("supervision"))?;
        let mut s = supervision_of(&mut tx, &row).await?;
        let at = records::now(&self.app);
        s.instruct(self.actor.user_id.clone().into(), text, at)
            .map_err(|e| ServiceError::invalid("text", e.code()))?;
        let stored = s
            .instructions()
            .last()
            .map(|i| i.text.clone())
            .unwrap_or_default();
        repo::add_instruction(
            &mut tx,
            &InstructionRow {
                supervision_id: supervision_id.to_owned(),
                seq: 0,
                at: self.app.now_ms(),
                author_user_id: self.actor.user_id.clone(),
                text: stored,
            },
        )
        .await?;
        self.audit(
            &mut tx,
            "supervision.instruct",
            "supervision",
            supervision_id,
            String::new(),
        )
        .await?;
        let view = self.supervision_view(&mut tx, supervision_id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Raises the level (city → province → Ministry), optionally with a new deadline.
    pub async fn raise_supervision(
        &self,
        supervision_id: &str,
        level: &str,
        deadline: &str,
    ) -> Result<SupervisionView> {
        self.manage("supervision.raise", "supervision", supervision_id)
            .await?;
        let level = level_of("level", level)?;
        let deadline = match deadline.trim() {
            "" => None,
            d => Some(input_date("deadline", d)?),
        };
        let mut tx = self.app.store().begin().await?;
        let mut row = repo::supervision(&mut tx, supervision_id)
            .await?
            .ok_or(ServiceError::NotFound("supervision"))?;
        let mut s = supervision_of(&mut tx, &row).await?;
        s.raise(level, deadline)
            .map_err(|e| ServiceError::invalid("level", e.code()))?;
        row.level = s.level().id().to_owned();
        row.deadline = date_text(s.deadline());
        repo::update_supervision(&mut tx, &row).await?;
        self.audit(
            &mut tx,
            "supervision.raise",
            "supervision",
            supervision_id,
            row.level.clone(),
        )
        .await?;
        let view = self.supervision_view(&mut tx, supervision_id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Concludes a supervision today.
    pub async fn conclude_supervision(&self, supervision_id: &str) -> Result<SupervisionView> {
        self.manage("supervision.conclude", "supervision", supervision_id)
            .await?;
        let mut tx = self.app.store().begin().await?;
        let mut row = repo::supervision(&mut tx, supervision_id)
            .await?
            .ok_or(ServiceError::NotFound("supervision"))?;
        let mut s = supervision_of(&mut tx, &row).await?;
        s.conclude(today(&self.app))
            .map_err(|e| ServiceError::invalid("supervision", e.code()))?;
        row.concluded_on = s.concluded_on().map(date_text);
        repo::update_supervision(&mut tx, &row).await?;
        self.audit(
            &mut tx,
            "supervision.conclude",
            "supervision",
            supervision_id,
            String::new(),
        )
        .await?;
        let view = self.supervision_view(&mut tx, supervision_id).await?;
        tx.commit().await?;
        Ok(view)
    }
}
