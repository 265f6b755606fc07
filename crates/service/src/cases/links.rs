//! Serial cases (系列案件): links proposed on every write that adds a suspect or an
//! identifier, reviewed once by an investigator, and the series a confirmed link forms.
//!
//! Proposals compare blind indexes in the database; the domain's `propose_links` then
//! scores the shared facts. Only values this case holds are ever opened: the other
//! case's side of a shared identifier is, by the blind index, the same value.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use fanguai_domain::cases::{
    BlindIndex, CaseFacts, CaseId, LinkReview, LinkReviewEvent, link_score, propose_links,
};
use fanguai_domain::divisions::DivisionCode;
use fanguai_domain::ids::Phone;
use fanguai_domain::policy::{Action, Decision};
use fanguai_domain::tips::{AccountRef, VehiclePlate};
use fanguai_store::Conn;
use fanguai_store::cases::{self as repo, CaseLinkRow, CaseRow, PersonIndex};
use serde::Serialize;
use time::Duration;

use super::records::{self, stored_date};
use super::{CaseDesk, CaseSummary, PersonView, persons};
use crate::error::{Result, ServiceError};

/// A link as a case page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub id: String,
    pub other_case_id: String,
    pub score: i64,
    pub reasons: Vec<String>,
    pub status: String,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesNode {
    pub id: String,
    /// `case` or `person`.
    pub kind: &'static str,
    pub label: String,
    /// For people: their role on the cases (`victim`, `suspect`, `gang_member`).
    pub role: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesEdge {
    pub from: String,
    pub to: String,
    /// `link` between cases, or the person's role on the case.
    pub kind: String,
}

/// A series: the cases joined by confirmed links, their people, and a graph of both.
/// People who appear on several cases under the same identity number are one node.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesView {
    pub cases: Vec<CaseSummary>,
    pub people: Vec<PersonView>,
    pub nodes: Vec<SeriesNode>,
    pub edges: Vec<SeriesEdge>,
}

/// This case's shared-able facts, opened from its own rows.
struct Own {
    facts: CaseFacts,
    suspect_bidx: Vec<String>,
    phone_bidx: Vec<(String, Phone)>,
    vehicle_bidx: Vec<(String, VehiclePlate)>,
    account_bidx: Vec<(String, AccountRef)>,
}

async fn own_facts(desk: &CaseDesk, c: &mut Conn, row: &CaseRow) -> Result<Own> {
    let division = DivisionCode::parse(&row.division).map_err(ServiceError::internal)?;
    let occurred = stored_date(&row.occurred_on)?;
    let mut own = Own {
        facts: CaseFacts {
            case_id: CaseId::new(row.id.clone()),
            suspects: vec![],
            phones: vec![],
            vehicles: vec![],
            accounts: vec![],
            division,
            occurred_on: occurred,
        },
        suspect_bidx: vec![],
        phone_bidx: vec![],
        vehicle_bidx: vec![],
        account_bidx: vec![],
    };
    for p in repo::people(c, &row.id).await? {
        if p.role == "victim" {
            continue;
        }
        if let Some(b) = &p.id_number_bidx {
            own.facts
                .suspects
                .push(BlindIndex::parse_hex(b).map_err(ServiceError::internal)?);
            own.suspect_bidx.push(b.clone());
        }
        if let (Some(b), Some(sealed)) = (&p.phone_bidx, &p.phone_enc) {
            let key = records::key(c, &desk.app, &p.data_key_id).await?;
            let text = records::open(&key, "case_people", "phone", &p.id, sealed)?;
            let phone = Phone::parse(&text).map_err(ServiceError::internal)?;
            own.facts.phones.push(phone.clone());
            own.phone_bidx.push((b.clone(), phone));
        }
    }
    let idents = repo::identifiers(c, &row.id).await?;
    if !idents.is_empty() {
        let key = records::key(c, &desk.app, &row.data_key_id).await?;
        for i in idents {
            let text = records::open(&key, "case_identifiers", "value", &i.id, &i.value_enc)?;
            match i.kind.as_str() {
                "phone" => {
                    let p = Phone::parse(&text).map_err(ServiceError::internal)?;
                    own.facts.phones.push(p.clone());
                    own.phone_bidx.push((i.bidx, p));
                }
                "vehicle" => {
                    let v = VehiclePlate::parse(&text).map_err(ServiceError::internal)?;
                    own.facts.vehicles.push(v.clone());
                    own.vehicle_bidx.push((i.bidx, v));
                }
                "account" => {
                    let a = AccountRef::parse(&text).map_err(ServiceError::internal)?;
                    own.facts.accounts.push(a.clone());
                    own.account_bidx.push((i.bidx, a));
                }
                _ => {}
            }
        }
    }
    Ok(own)
}

/// What another case shares with this one, by blind index.
#[derive(Default)]
struct Shared {
    suspects: BTreeSet<String>,
    phones: BTreeSet<String>,
    vehicles: BTreeSet<String>,
    accounts: BTreeSet<String>,
}

/// Computes and stores the link proposals of a case against every other case that
/// shares a suspect, phone, vehicle or account with it, or lies in the same county
/// within the domain's window of days.
pub(crate) async fn propose_for(desk: &CaseDesk, c: &mut Conn, row: &CaseRow) -> Result<usize> {
    let own = own_facts(desk, c, row).await?;
    let mut shared: BTreeMap<String, Shared> = BTreeMap::new();
    for b in &own.suspect_bidx {
        for p in repo::people_by_index(c, PersonIndex::IdNumber, b).await? {
            if p.role != "victim" {
                shared
                    .entry(p.case_id)
                    .or_default()
                    .suspects
                    .insert(b.clone());
            }
        }
    }
    for (b, _) in &own.phone_bidx {
        for p in repo::people_by_index(c, PersonIndex::Phone, b).await? {
            if p.role != "victim" {
                shared
                    .entry(p.case_id)
                    .or_default()
                    .phones
                    .insert(b.clone());
            }
        }
        for i in repo::identifiers_by_index(c, "phone", b).await? {
            shared
                .entry(i.case_id)
                .or_default()
                .phones
                .insert(b.clone());
        }
    }
    for (b, _) in &own.vehicle_bidx {
        for i in repo::identifiers_by_index(c, "vehicle", b).await? {
            shared
                .entry(i.case_id)
                .or_default()
                .vehicles
                .insert(b.clone());
        }
    }
    for (b, _) in &own.account_bidx {
        for i in repo::identifiers_by_index(c, "account", b).await? {
            shared
                .entry(i.case_id)
                .or_default()
                .accounts
                .insert(b.clone());
        }
    }
    let window = Duration::days(fanguai_domain::cases::links::LINK_WINDOW_DAYS);
    let from = records::date_text(own.facts.occurred_on - window);
    let to = records::date_text(own.facts.occurred_on + window);
    for near in repo::in_division_between(c, &row.division, &from, &to).await? {
        shared.entry(near.id).or_default();
    }
    shared.remove(&row.id);

    let mut proposed = 0;
    for (other_id, s) in shared {
        let Some(other) = repo::get(c, &other_id).await? else {
            continue;
        };
        let theirs = CaseFacts {
            case_id: CaseId::new(other.id.clone()),
            suspects: own
                .facts
                .suspects
                .iter()
                .zip(&own.suspect_bidx)
                .filter(|(_, b)| s.suspects.contains(*b))
                .map(|(x, _)| *x)
                .collect(),
            phones: own
                .phone_bidx
                .iter()
                .filter(|(b, _)| s.phones.contains(b))
                .map(|(_, p)| p.clone())
                .collect(),
            vehicles: own
                .vehicle_bidx
                .iter()
                .filter(|(b, _)| s.vehicles.contains(b))
                .map(|(_, v)| v.clone())
                .collect(),
            accounts: own
                .account_bidx
                .iter()
                .filter(|(b, _)| s.accounts.contains(b))
                .map(|(_, a)| a.clone())
                .collect(),
            division: DivisionCode::parse(&other.division).map_err(ServiceError::internal)?,
            occurred_on: stored_date(&other.occurred_on)?,
        };
        let reasons = propose_links(&own.facts, &theirs);
        if reasons.is_empty() {
            continue;
        }
        let (a, b) = if row.id < other.id {
            (row.id.clone(), other.id.clone())
        } else {
            (other.id.clone(), row.id.clone())
        };
        repo::propose_link(
            c,
            &CaseLinkRow {
                id: uuid::Uuid::now_v7().to_string(),
                case_a: a,
                case_b: b,
                score: i64::from(link_score(&reasons)),
                reasons: reasons.iter().map(|r| r.id().to_owned()).collect(),
                status: "proposed".into(),
                review_reason: None,
                reviewed_by: None,
                reviewed_at: None,
                proposed_at: desk.app.now_ms(),
            },
        )
        .await?;
        proposed += 1;
    }
    Ok(proposed)
}

pub(crate) async fn views(c: &mut Conn, case_id: &str) -> Result<Vec<LinkView>> {
    let mut out = Vec::new();
    for l in repo::links_of(c, case_id).await? {
        let reviewed_by = match &l.reviewed_by {
            Some(u) => fanguai_store::users::get(c, u).await?.map(|u| u.username),
            None => None,
        };
        out.push(LinkView {
            other_case_id: if l.case_a == case_id {
                l.case_b.clone()
            } else {
                l.case_a.clone()
            },
            id: l.id,
            score: l.score,
            reasons: l.reasons,
            status: l.status,
            review_reason: l.review_reason,
            reviewed_by,
        });
    }
    Ok(out)
}

impl CaseDesk {
    /// Confirms or rejects a proposed link, once, with a written reason. The reviewer must
    /// be able to write one of the two cases.
    pub async fn review_link(
        &self,
        link_id: &str,
        confirm: bool,
        reason: &str,
    ) -> Result<LinkView> {
        let reason = reason.trim();
        if !(4..=500).contains(&reason.chars().count()) || reason.chars().any(char::is_control) {
            return Err(ServiceError::invalid("reason", "case_link.reason_length"));
        }
        let mut tx = self.app.store().begin().await?;
        let link = repo::link(&mut tx, link_id)
            .await?
            .ok_or(ServiceError::NotFound("case link"))?;
        let mut refusal = None;
        let mut allowed = false;
        for case_id in [&link.case_a, &link.case_b] {
            let Some(row) = repo::get(&mut tx, case_id).await? else {
                continue;
            };
            let assigned = repo::assignees(&mut tx, case_id)
                .await?
                .contains(&self.actor.user_id);
            match self.decide(&Action::WriteCase {
                owner_unit: row.owner_unit_id.clone().into(),
                assigned,
            }) {
                Decision::Deny(r) => refusal = refusal.or(Some(r)),
                _ => allowed = true,
            }
        }
        if !allowed {
            let r = refusal.unwrap_or(fanguai_domain::DenyReason::Role);
            drop(tx);
            return Err(self
                .refuse("case_link.review", "case_link", link_id, r)
                .await);
        }
        let current = match link.status.as_str() {
            "proposed" => LinkReview::Proposed,
            other => {
                let at = records::now(&self.app);
                let by = link.reviewed_by.clone().unwrap_or_default().into();
                if other == "confirmed" {
                    LinkReview::Confirmed { by, at }
                } else {
                    LinkReview::Rejected { by, at }
                }
            }
        };
        let event = if confirm {
            LinkReviewEvent::Confirm
        } else {
            LinkReviewEvent::Reject
        };
        let next = current
            .apply(event, &self.actor.policy(), records::now(&self.app))
            .map_err(|e| ServiceError::invalid("link", e.code()))?;
        repo::review_link(
            &mut tx,
            link_id,
            next.id(),
            reason,
            &self.actor.user_id,
            self.app.now_ms(),
        )
        .await
        .map_err(|_| ServiceError::invalid("link", "case_link.already_reviewed"))?;
        self.audit(
            &mut tx,
            "case_link.review",
            "case_link",
            link_id,
            next.id().to_owned(),
        )
        .await?;
        let view = views(&mut tx, &link.case_a)
            .await?
            .into_iter()
            .find(|l| l.id == link_id)
            .ok_or(ServiceError::NotFound("case link"))?;
        tx.commit().await?;
        Ok(view)
    }

    /// The series a case belongs to: every case reachable over confirmed links that the
    /// reader may see (masked where the policy says so), their people, and a graph.
    pub async fn series(&self, case_id: &str) -> Result<SeriesView> {
        let mut tx = self.app.store().begin().await?;
        if let Err(r) = self.readable(&mut tx, case_id).await? {
            drop(tx);
            return Err(self.refuse("case.series", "case", case_id, r).await);
        }
        let mut seen = BTreeSet::from([case_id.to_owned()]);
        let mut queue = VecDeque::from([case_id.to_owned()]);
        let mut case_edges = Vec::new();
        while let Some(id) = queue.pop_front() {
            for l in repo::links_of(&mut tx, &id).await? {
                if l.status != "confirmed" {
                    continue;
                }
                let other = if l.case_a == id {
                    l.case_b.clone()
                } else {
                    l.case_a.clone()
                };
                if id < other {
                    case_edges.push((id.clone(), other.clone()));
                }
                if seen.insert(other.clone()) {
                    queue.push_back(other);
                }
            }
        }
        let mut view = SeriesView {
            cases: vec![],
            people: vec![],
            nodes: vec![],
            edges: vec![],
        };
        let mut shown = BTreeSet::new();
        // One node per identity across cases; people without a number are their own.
        let mut person_nodes: BTreeMap<String, String> = BTreeMap::new();
        for id in &seen {
            let Ok((row, sight)) = self.readable(&mut tx, id).await? else {
                continue;
            };
            let summary = self.summary(&row, sight);
            view.nodes.push(SeriesNode {
                id: format!("case:{id}"),
                kind: "case",
                label: row
                    .receipt_number
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", summary.place, row.occurred_on)),
                role: None,
            });
            shown.insert(id.clone());
            let people = persons::views(self, &mut tx, &row, sight).await?;
            let rows = repo::people(&mut tx, id).await?;
            for (p, r) in people.iter().zip(rows.iter()) {
                let merge_key = r.id_number_bidx.clone().unwrap_or_else(|| r.id.clone());
                let next = format!("person:{}", person_nodes.len() + 1);
                let node = person_nodes.entry(merge_key).or_insert_with(|| {
                    view.nodes.push(SeriesNode {
                        id: next.clone(),
                        kind: "person",
                        label: p.name.clone(),
                        role: Some(p.role.clone()),
                    });
                    next
                });
                view.edges.push(SeriesEdge {
                    from: node.clone(),
                    to: format!("case:{id}"),
                    kind: p.role.clone(),
                });
            }
            view.people.extend(people);
            view.cases.push(summary);
        }
        for (a, b) in case_edges {
            if shown.contains(&a) && shown.contains(&b) {
                view.edges.push(SeriesEdge {
                    from: format!("case:{a}"),
                    to: format!("case:{b}"),
                    kind: "link".into(),
                });
            }
        }
        self.audit(
            &mut tx,
            "case.series",
            "case",
            case_id,
            format!("{} cases", view.cases.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }
}
