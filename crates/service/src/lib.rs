//! The use cases of fanguai: the only place that joins the access policy, the store, the
//! vault and the audit log.
//!
//! # How callers use it
//! ```text
//! let app = App::open(store, keyring, ServiceConfig::default()).await?;
//! // login, step 1 (password); the token is a new pending session
//! match app.login(&ctx, "zhang.san", "password").await? {
//!     LoginOutcome::Complete { token } => …,             // roles without a second factor
//!     LoginOutcome::TotpRequired { token } => app.verify_totp(&ctx, &token, "123456").await?,
//!     LoginOutcome::EnrolmentRequired { token } => {
//!         let e = app.enrolment(&ctx, &token).await?;     // secret, otpauth URI, QR SVG
//!         app.confirm_enrolment(&ctx, &token, "123456").await?   // new token: the id rotates
//!     }
//! }
//! let session = app.session(&ctx, &token).await?;        // refreshes the idle timer
//! let desk = session.admin().await?;                     // a refusal is audited and returned as an error
//! desk.list_users().await?;
//! ```
//! A handler that was not given a desk cannot reach the use case behind it: desks are only
//! made by [`Session`] after the policy in `fanguai_domain::policy` allowed the action.
//!
//! Every write and every read of personal data writes one audit event in the same
//! transaction as the change; refusals are audited too.
#![forbid(unsafe_code)]

mod account;
mod app;
mod audit_log;
mod auth;
pub mod cases;
mod ctx;
mod directory;
mod error;
mod keys;
mod people;
pub mod seed;
mod tips;
mod users;

pub use account::AccountDesk;
pub use app::{App, ServiceConfig};
pub use audit_log::{AuditDesk, AuditEventView, AuditPage, AuditQuery, ChainStatus, verify_chain};
pub use auth::{Enrolment, LoginOutcome, Session, SessionToken, Stage};
pub use cases::{
    CaseDesk, CaseSummary, CaseView, ClassificationInput, FigureQuery, FiguresView, NewCasePerson,
    NewCaseReport, NewIdentifier, NewKeyArea, NewOperation, NewSupervision, PersonStatus,
    PersonView, SeriesView, TransitionInput,
};
pub use ctx::{ActorView, Lang, RequestCtx};
pub use directory::{DirectoryDesk, MemberView, UnitView};
pub use error::{AuthFailure, ServiceError};
pub use keys::RotationReport;
pub use tips::demo::seed_tips;
pub use tips::{
    AdditionView, DecisionInput, DuplicateView, HistoryEntry, MAX_PHOTO_BYTES, MAX_PHOTOS,
    NoActionView, PhotoMeta, PhotoUpload, PublicTipDesk, ReferralView, ReporterView, RiskGroupView,
    TipDesk, TipDetail, TipReceipt, TipSummary, parse_source,
};
pub use users::{AdminDesk, Assignment, NewUser, OperatorDesk, UserView};

pub use fanguai_domain::role::Role;
