//! The domain of fanguai: values parsed once at the edge, reference data (administrative
//! divisions, the member units of the joint conference), roles, and the access policy as a
//! pure function. No IO, no async, no database: everything here can be tested in memory.
//!
//! - [`ids`]: values people type in — resident ID numbers, phone numbers, names,
//!   usernames, passwords, stated purposes — each behind one parsing constructor whose
//!   error carries a stable `code()` for translation.
//! - [`divisions`]: GB/T 2260 division codes with their history since 1981.
//! - [`org`]: the 24 member units and their written duties.
//! - [`role`] and [`policy`]: who may do what.
//! - [`mask`]: the masked forms that everyone without need-to-know sees.
#![forbid(unsafe_code)]

pub mod divisions;
pub mod ids;
pub mod mask;
pub mod org;
pub mod policy;
pub mod role;

pub use divisions::{Division, DivisionCode, DivisionCodeError};
pub use ids::{
    Password, PasswordError, PersonName, PersonNameError, Phone, PhoneError, PhoneKind, Purpose,
    PurposeError, ResidentId, ResidentIdError, Sex, UnitId, UserId, Username, UsernameError,
};
pub use org::{MEMBER_UNITS, MemberUnit};
pub use policy::{Action, Actor, Decision, DenyReason, decide};
pub use role::{Role, RoleSet};
pub mod tips;
pub mod cases;
pub mod kpi;
