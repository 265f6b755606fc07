//! Between stored rows and the domain: the case state rebuilt from its columns and
//! written back, classification ids, dates, and sealing under per-case and per-person
//! data keys.

use fanguai_domain::cases::{
    Authority, CaseReason, CaseState, CaseStateKind, Classification, CriminalArticle,
    ExploitationForm, FastTrackReason, PalermoMeans, ReceiptNumber, ReviewExtension,
    TraffickingAct,
};
use fanguai_domain::divisions::{self, DivisionCode};
use fanguai_domain::ids::UserId;
use fanguai_store::Conn;
use fanguai_store::cases::CaseRow;
use fanguai_vault::envelope::DataKey;
use time::Date;

use crate::app::App;
use crate::error::{Result, ServiceError};
use crate::people;

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub(crate) fn date_text(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}

/// A stored date; a column that does not parse is a corrupt row, not user input.
pub(crate) fn stored_date(s: &str) -> Result<Date> {
    Date::parse(s, DATE).map_err(|e| ServiceError::internal(format!("stored date {s:?}: {e}")))
}

/// A date typed by a user into `field`.
pub(crate) fn input_date(field: &'static str, s: &str) -> Result<Date> {
    Date::parse(s.trim(), DATE).map_err(|_| ServiceError::invalid(field, "case.date.invalid"))
}

/// A division code typed into `field`: it must name a known division.
pub(crate) fn input_division(field: &'static str, s: &str) -> Result<DivisionCode> {
    let code = DivisionCode::parse(s.trim()).map_err(|e| ServiceError::invalid(field, e.code()))?;
    if divisions::lookup(code).is_none() {
        return Err(ServiceError::invalid(field, "case.division.unknown"));
    }
    Ok(code)
}

pub(crate) fn today(app: &App) -> Date {
    now(app).to_offset(time::macros::offset!(+8)).date()
}

pub(crate) fn now(app: &App) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(app.now_ms()) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

// ---- classification ids ----

pub(crate) fn article_id(a: CriminalArticle) -> &'static str {
    a.number()
}

pub(crate) fn parse_article(s: &str) -> Option<CriminalArticle> {
    CriminalArticle::ALL
        .into_iter()
        .find(|a| a.number() == s.trim())
}

pub(crate) fn act_id(a: TraffickingAct) -> &'static str {
    match a {
        TraffickingAct::Abducting => "abducting",
        TraffickingAct::Kidnapping => "kidnapping",
        TraffickingAct::Buying => "buying",
        TraffickingAct::Selling => "selling",
        TraffickingAct::Delivering => "delivering",
        TraffickingAct::Transiting => "transiting",
    }
}

pub(crate) fn parse_act(s: &str) -> Option<TraffickingAct> {
    TraffickingAct::ALL
        .into_iter()
        .find(|a| act_id(*a) == s.trim())
}

pub(crate) const MEANS: [PalermoMeans; 7] = [
    PalermoMeans::ThreatOrForce,
    PalermoMeans::Coercion,
    PalermoMeans::Abduction,
    PalermoMeans::Fraud,
    PalermoMeans::Deception,
    PalermoMeans::AbuseOfPowerOrVulnerability,
    PalermoMeans::Payment,
];

pub(crate) fn means_id(m: PalermoMeans) -> &'static str {
    match m {
        PalermoMeans::ThreatOrForce => "threat_or_force",
        PalermoMeans::Coercion => "coercion",
        PalermoMeans::Abduction => "abduction",
        PalermoMeans::Fraud => "fraud",
        PalermoMeans::Deception => "deception",
        PalermoMeans::AbuseOfPowerOrVulnerability => "abuse_of_power_or_vulnerability",
        PalermoMeans::Payment => "payment",
    }
}

pub(crate) fn parse_means(s: &str) -> Option<PalermoMeans> {
    MEANS.into_iter().find(|m| means_id(*m) == s.trim())
}

pub(crate) fn parse_exploitation(s: &str) -> Option<ExploitationForm> {
    ExploitationForm::ALL
        .into_iter()
        .find(|e| e.id() == s.trim())
}

/// The classification stored on a case row.
pub(crate) fn classification_of(row: &CaseRow) -> Classification {
    Classification {
        article: row.article.as_deref().and_then(parse_article),
        acts: row.acts.iter().filter_map(|a| parse_act(a)).collect(),
        means: row.means.iter().filter_map(|m| parse_means(m)).collect(),
        exploitation: row
            .exploitation
            .iter()
            .filter_map(|e| parse_exploitation(e))
            .collect(),
        missing_person_report: row.missing_person,
    }
}

pub(crate) fn write_classification(row: &mut CaseRow, c: &Classification) {
    row.article = c.article.map(|a| article_id(a).to_owned());
    row.acts = c.acts.iter().map(|a| act_id(*a).to_owned()).collect();
    row.means = c.means.iter().map(|m| means_id(*m).to_owned()).collect();
    row.exploitation = c.exploitation.iter().map(|e| e.id().to_owned()).collect();
    row.missing_person = c.missing_person_report;
}

// ---- state ----

pub(crate) fn parse_state_kind(s: &str) -> Option<CaseStateKind> {
    CaseStateKind::ALL.into_iter().find(|k| k.id() == s)
}

fn fast_track_of(s: &str) -> Option<FastTrackReason> {
    [
        FastTrackReason::MissingChildUnder14,
        FastTrackReason::MissingGirlUnder18,
    ]
    .into_iter()
    .find(|r| r.id() == s)
}

fn need<'a>(v: &'a Option<String>, what: &str) -> Result<&'a str> {
    v.as_deref()
        .ok_or_else(|| ServiceError::internal(format!("case row lacks {what} for its state")))
}

/// The domain state stored in a row.
pub(crate) fn state_of(row: &CaseRow) -> Result<CaseState> {
    let kind = parse_state_kind(&row.state)
        .ok_or_else(|| ServiceError::internal(format!("unknown case state {:?}", row.state)))?;
    let receipt = || -> Result<ReceiptNumber> {
        ReceiptNumber::parse(need(&row.receipt_number, "receipt number")?)
            .map_err(ServiceError::internal)
    };
    let registered = || stored_date(need(&row.registered_on, "registration day")?);
    let solved = || stored_date(need(&row.solved_on, "solving day")?);
    let reason = || -> Result<CaseReason> {
        CaseReason::parse(need(&row.end_reason, "reason")?).map_err(ServiceError::internal)
    };
    Ok(match kind {
        CaseStateKind::Reported => CaseState::Reported,
        CaseStateKind::Accepted => CaseState::Accepted {
            receipt: receipt()?,
            accepted_on: stored_date(need(&row.accepted_on, "acceptance day")?)?,
        },
        CaseStateKind::UnderRegistrationReview => CaseState::UnderRegistrationReview {
            receipt: receipt()?,
            started: stored_date(need(&row.review_started_on, "review start")?)?,
            extension: match row.review_extension.as_deref() {
                None | Some("none") => ReviewExtension::None,
                Some("check_clues") => ReviewExtension::CheckClues,
                Some("complex_approved") => ReviewExtension::ComplexApproved {
                    approver: UserId::new(need(&row.review_approver, "approver")?),
                },
                Some(other) => {
                    return Err(ServiceError::internal(format!(
                        "unknown review extension {other:?}"
                    )));
                }
            },
        },
        CaseStateKind::Registered => CaseState::Registered {
            registered_on: registered()?,
            fast_track: row.fast_track.as_deref().and_then(fast_track_of),
        },
        CaseStateKind::NotRegistered => CaseState::NotRegistered { reason: reason()? },
        CaseStateKind::Investigating => CaseState::Investigating {
            registered_on: registered()?,
        },
        CaseStateKind::Solved => CaseState::Solved {
            registered_on: registered()?,
            solved_on: solved()?,
        },
        CaseStateKind::InvestigationConcluded => CaseState::InvestigationConcluded {
            registered_on: registered()?,
            solved_on: solved()?,
        },
        CaseStateKind::TransferredForProsecution => CaseState::TransferredForProsecution {
            registered_on: registered()?,
            solved_on: solved()?,
        },
        CaseStateKind::Withdrawn => CaseState::Withdrawn { reason: reason()? },
        CaseStateKind::TransferredJurisdiction => {
            let division = DivisionCode::parse(need(&row.transfer_to_division, "authority")?)
                .map_err(ServiceError::internal)?;
            CaseState::TransferredJurisdiction {
                to: Authority::new(need(&row.transfer_to_name, "authority")?, division)
                    .map_err(ServiceError::internal)?,
            }
        }
    })
}

/// Writes the state's facts into the row. Facts of earlier states (the receipt, the day
/// of acceptance) stay: the file keeps its history.
pub(crate) fn write_state(row: &mut CaseRow, s: &CaseState) {
    row.state = s.kind().id().to_owned();
    match s {
        CaseState::Reported => {}
        CaseState::Accepted {
            receipt,
            accepted_on,
        } => {
            row.receipt_number = Some(receipt.as_str().to_owned());
            row.accepted_on = Some(date_text(*accepted_on));
        }
        CaseState::UnderRegistrationReview {
            receipt,
            started,
            extension,
        } => {
            row.receipt_number = Some(receipt.as_str().to_owned());
            row.review_started_on = Some(date_text(*started));
            row.review_extension = Some(extension.id().to_owned());
            row.review_approver = match extension {
                ReviewExtension::ComplexApproved { approver } => Some(approver.as_str().to_owned()),
                _ => None,
            };
        }
        CaseState::Registered {
            registered_on,
            fast_track,
        } => {
            row.registered_on = Some(date_text(*registered_on));
            row.fast_track = fast_track.map(|f| f.id().to_owned());
        }
        CaseState::NotRegistered { reason } | CaseState::Withdrawn { reason } => {
            row.end_reason = Some(reason.as_str().to_owned());
        }
        CaseState::Investigating { registered_on } => {
            row.registered_on = Some(date_text(*registered_on));
        }
        CaseState::Solved {
            registered_on,
            solved_on,
        }
        | CaseState::InvestigationConcluded {
            registered_on,
            solved_on,
        }
        | CaseState::TransferredForProsecution {
            registered_on,
            solved_on,
        } => {
            row.registered_on = Some(date_text(*registered_on));
            row.solved_on = Some(date_text(*solved_on));
        }
        CaseState::TransferredJurisdiction { to } => {
            row.transfer_to_name = Some(to.name().to_owned());
            row.transfer_to_division = Some(to.division().to_string());
        }
    }
}

// ---- sealing ----

pub(crate) fn case_subject(case_id: &str) -> String {
    format!("case:{case_id}")
}

pub(crate) fn person_subject(person_id: &str) -> String {
    format!("case_person:{person_id}")
}

pub(crate) fn seal(key: &DataKey, table: &str, column: &str, row_id: &str, value: &str) -> Vec<u8> {
    people::seal_field(key, table, column, row_id, value.as_bytes())
}

pub(crate) fn open(
    key: &DataKey,
    table: &str,
    column: &str,
    row_id: &str,
    sealed: &[u8],
) -> Result<String> {
    let plain = people::open_field(key, table, column, row_id, sealed)?;
    String::from_utf8(plain.to_vec()).map_err(ServiceError::internal)
}

pub(crate) async fn key(c: &mut Conn, app: &App, key_id: &str) -> Result<DataKey> {
    people::key_of(c, app, key_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_ids_round_trip() {
        for a in CriminalArticle::ALL {
            assert_eq!(parse_article(article_id(a)), Some(a));
        }
        for a in TraffickingAct::ALL {
            assert_eq!(parse_act(act_id(a)), Some(a));
        }
        for m in MEANS {
            assert_eq!(parse_means(means_id(m)), Some(m));
        }
        for e in ExploitationForm::ALL {
            assert_eq!(parse_exploitation(e.id()), Some(e));
        }
        assert_eq!(parse_article("999"), None);
    }

    #[test]
    fn dates_round_trip() {
        let d = time::macros::date!(2026 - 03 - 01);
        assert_eq!(date_text(d), "2026-03-01");
        assert_eq!(stored_date("2026-03-01").unwrap(), d);
        assert!(input_date("occurred_on", "2026-02-30").is_err());
    }
}
