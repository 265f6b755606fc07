//! Master key rotation and crypto-shredding.

use fanguai_store::data_keys;
use fanguai_vault::envelope::WrappedKey;
use serde::Serialize;

use crate::app::App;
use crate::audit_log::{Event, record};
use crate::ctx::RequestCtx;
use crate::error::{Result, ServiceError};

#[derive(Debug, Clone, Serialize)]
pub struct RotationReport {
    pub current_master: String,
    pub rewrapped: u64,
    /// Data keys still wrapped by an older master key (zero when the sweep finished).
    pub remaining_old: i64,
}

impl App {
    /// Re-wraps every data key under the current master key, in small transactions so
    /// that a running server keeps working during the sweep: old master keys stay in the
    /// ring, so both the old and the new wrapping open until the sweep is done.
    pub async fn rewrap_data_keys(&self, ctx: &RequestCtx) -> Result<RotationReport> {
        let ring = self.ring();
        let current = ring.current_id().to_string();
        let mut rewrapped = 0u64;
        let old_masters: Vec<String> = {
            let mut c = self.store().conn().await?;
            data_keys::count_by_master(&mut c)
                .await?
                .into_iter()
                .map(|(m, _)| m)
                .filter(|m| m != &current)
                .collect()
        };
        for old_master in old_masters {
            loop {
                let mut tx = self.store().begin().await?;
                let batch = data_keys::list_wrapped_by(&mut tx, &old_master, 200).await?;
                if batch.is_empty() {
                    break;
                }
                for row in &batch {
                    let old = WrappedKey::from_bytes(&row.wrapped)?;
                    let new = ring.rewrap(&old, &row.subject)?;
                    data_keys::update_wrapped(&mut tx, &row.id, &new.to_bytes(), &current).await?;
                }
                rewrapped += batch.len() as u64;
                record(
                    &mut tx,
                    self,
                    ctx,
                    None,
                    Event {
                        action: "keys.rewrap",
                        record_type: "data_key",
                        outcome: "ok",
                        detail: format!(
                            "{} data keys re-wrapped under master {current}",
                            batch.len()
                        ),
                        ..Default::default()
                    },
                )
                .await?;
                tx.commit().await?;
            }
        }
        let mut c = self.store().conn().await?;
        let remaining_old = data_keys::count_by_master(&mut c)
            .await?
            .into_iter()
            .filter(|(m, _)| m != &current)
            .map(|(_, n)| n)
            .sum();
        Ok(RotationReport {
            current_master: current,
            rewrapped,
            remaining_old,
        })
    }

    /// Destroys the data key of a subject: every field sealed with it becomes unreadable
    /// for good. The audit log keeps the fact, not the data.
    pub async fn shred_subject(&self, ctx: &RequestCtx, subject: &str, reason: &str) -> Result<()> {
        if reason.trim().len() < 4 {
            return Err(ServiceError::invalid("reason", "purpose.too_short"));
        }
        let mut tx = self.store().begin().await?;
        let row = data_keys::by_subject(&mut tx, subject)
            .await?
            .ok_or(ServiceError::NotFound("data key"))?;
        data_keys::destroy(&mut tx, &row.id, self.now_ms()).await?;
        record(
            &mut tx,
            self,
            ctx,
            None,
            Event {
                action: "keys.shred",
                record_type: "data_key",
                record_id: &row.id,
                purpose: reason,
                outcome: "ok",
                detail: format!("subject {subject}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
