//! The service handle shared by every request.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use fanguai_store::Store;
use fanguai_vault::KeyRing;

use crate::error::{Result, ServiceError};

/// Settings of the use cases. The defaults are the policy of the joint conference.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// A session ends after this many seconds without a request.
    pub session_idle_secs: i64,
    /// Wrong passwords or codes in a row before the account locks.
    pub lockout_threshold: i64,
    pub lockout_secs: i64,
    /// Shown in authenticator apps next to the account.
    pub totp_issuer: String,
    /// Where the key ring lives on disk. When set, the service re-reads it after a
    /// master key rotation by another process, so servers keep running through one.
    pub keys_dir: Option<std::path::PathBuf>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            session_idle_secs: 30 * 60,
            lockout_threshold: 5,
            lockout_secs: 15 * 60,
            totp_issuer: "fanguai".into(),
            keys_dir: None,
        }
    }
}

/// Time as the service sees it. Production uses the system clock; tests move a manual
/// clock forward instead of sleeping.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        let sys = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        sys as i64 + self.offset_ms.load(Ordering::Relaxed)
    }
    pub fn advance_secs(&self, secs: i64) {
        self.offset_ms.fetch_add(secs * 1000, Ordering::Relaxed);
    }
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub store: Store,
    ring: RwLock<Arc<KeyRing>>,
    pub cfg: ServiceConfig,
    pub clock: Clock,
    /// The audit chain prefix the audit page has already checked.
    pub audit_verified: std::sync::Mutex<Option<crate::audit_log::VerifiedPrefix>>,
}

/// Cheap to clone; every clone shares the database pool and key ring.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) inner: Arc<Inner>,
}

impl App {
    /// Opens the service on a migrated store. Refuses a store with pending migrations so
    /// that a new binary never writes to an old schema.
    pub async fn open(store: Store, ring: KeyRing, cfg: ServiceConfig) -> Result<App> {
        let pending = store.pending_migrations().await?;
        if !pending.is_empty() {
            return Err(ServiceError::Internal(format!(
                "the database needs migrations ({}); run `fanguai migrate`",
                pending.join(", ")
            )));
        }
        Ok(App {
            inner: Arc::new(Inner {
                store,
                ring: RwLock::new(Arc::new(ring)),
                cfg,
                clock: Clock::default(),
                audit_verified: Default::default(),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &ServiceConfig {
        &self.inner.cfg
    }

    /// The clock the service uses; tests advance it to expire sessions and lockouts.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    pub(crate) fn ring(&self) -> Arc<KeyRing> {
        self.inner
            .ring
            .read()
            .expect("key ring lock poisoned")
            .clone()
    }

    /// Swaps in a key ring re-read from disk after a master key rotation.
    pub fn replace_ring(&self, ring: KeyRing) {
        *self.inner.ring.write().expect("key ring lock poisoned") = Arc::new(ring);
    }

    /// Re-reads the key ring from disk if its current master key changed. Returns
    /// whether anything changed.
    pub fn refresh_ring(&self) -> Result<bool> {
        let Some(dir) = &self.inner.cfg.keys_dir else {
            return Ok(false);
        };
        let fresh = KeyRing::open(dir)?;
        let current = self.ring();
        let changed = fresh.current_id() != current.current_id()
            || fresh.master_ids().count() != current.master_ids().count();
        if changed {
            self.replace_ring(fresh);
            tracing::info!(master = %self.ring().current_id(), "key ring re-read after rotation");
        }
        Ok(changed)
    }

    /// Readiness: the database answers.
    pub async fn ready(&self) -> Result<()> {
        self.inner
            .store
            .ping()
            .await
            .map_err(|e| ServiceError::Unavailable(e.to_string()))
    }
}
