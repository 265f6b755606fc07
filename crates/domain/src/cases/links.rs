//! Serial cases (系列案件): proposing that two cases may be the work of the same people.
//!
//! Trafficking gangs work in series: the same buyer's phone, the same van, the same bank
//! card turn up in cases registered months apart in different stations. The system
//! proposes a link with its reasons and a score; an investigator confirms or rejects it.
//! Suspects are compared by blind index (a keyed hash of the ID number computed by the
//! vault), so the comparison never needs the clear identity.
//!
//! | shared | points |
//! |---|---|
//! | suspect identity | 60 each |
//! | phone number | 40 each |
//! | bank or payment account | 40 each |
//! | vehicle plate | 35 each |
//! | same county and within 30 days | 20 |
//!
//! The score is the sum, capped at 100.

use std::fmt;

use time::{Date, OffsetDateTime};

use super::CaseId;
use crate::divisions::DivisionCode;
use crate::ids::{Phone, UserId};
use crate::policy::Actor;
use crate::role::Role;
use crate::tips::account::AccountRef;
use crate::tips::plate::VehiclePlate;

/// The longest gap between two cases in one county that still suggests a series.
pub const LINK_WINDOW_DAYS: i64 = 30;

/// A blind index: HMAC-SHA256 of a normalised identifier under the index key. Equal
/// indexes mean equal identifiers; nothing else can be learned from one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlindIndex([u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlindIndexError {
    #[error("a blind index is 64 hexadecimal digits, found {found} characters")]
    Length { found: usize },
    #[error("character {position} of the blind index is not a hexadecimal digit")]
    Character { position: usize },
}

impl BlindIndexError {
    pub fn code(&self) -> &'static str {
        match self {
            BlindIndexError::Length { .. } => "blind_index.length",
            BlindIndexError::Character { .. } => "blind_index.character",
        }
    }
}

impl BlindIndex {
    pub fn from_bytes(bytes: [u8; 32]) -> BlindIndex {
        BlindIndex(bytes)
    }

    /// Reads the lower- or upper-case hexadecimal form that the store keeps.
    pub fn parse_hex(s: &str) -> Result<BlindIndex, BlindIndexError> {
        let s = s.trim();
        let found = s.chars().count();
        if found != 64 {
            return Err(BlindIndexError::Length { found });
        }
        let mut out = [0u8; 32];
        let digits: Vec<char> = s.chars().collect();
        for (i, pair) in digits.chunks(2).enumerate() {
            let hi = pair[0].to_digit(16).ok_or(BlindIndexError::Character {
                position: 2 * i + 1,
            })?;
            let lo = pair[1].to_digit(16).ok_or(BlindIndexError::Character {
                position: 2 * i + 2,
            })?;
            out[i] = (hi * 16 + lo) as u8;
        }
        Ok(BlindIndex(out))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for BlindIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A prefix tells indexes apart in a log without printing a value to correlate on.
        write!(f, "BlindIndex({:02x}{:02x}…)", self.0[0], self.0[1])
    }
}

/// What the link proposal compares about one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub case_id: CaseId,
    /// Blind indexes of the suspects' ID numbers.
    pub suspects: Vec<BlindIndex>,
    pub phones: Vec<Phone>,
    pub vehicles: Vec<VehiclePlate>,
    pub accounts: Vec<AccountRef>,
    /// The county-level division where the crime happened.
    pub division: DivisionCode,
    pub occurred_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkReason {
    SharedSuspect(BlindIndex),
    SharedPhone(Phone),
    SharedAccount(AccountRef),
    SharedVehicle(VehiclePlate),
    SamePlaceAndTime {
        division: DivisionCode,
        days_apart: i64,
    },
}

impl LinkReason {
    pub fn id(&self) -> &'static str {
        match self {
            LinkReason::SharedSuspect(_) => "shared_suspect",
            LinkReason::SharedPhone(_) => "shared_phone",
            LinkReason::SharedAccount(_) => "shared_account",
            LinkReason::SharedVehicle(_) => "shared_vehicle",
            LinkReason::SamePlaceAndTime { .. } => "same_place_and_time",
        }
    }

    pub fn points(&self) -> u32 {
        match self {
            LinkReason::SharedSuspect(_) => 60,
            LinkReason::SharedPhone(_) | LinkReason::SharedAccount(_) => 40,
            LinkReason::SharedVehicle(_) => 35,
            LinkReason::SamePlaceAndTime { .. } => 20,
        }
    }
}

/// Why `a` and `b` may belong to one series; empty when nothing connects them or they
/// are the same case. Symmetric up to the order of the reasons.
pub fn propose_links(a: &CaseFacts, b: &CaseFacts) -> Vec<LinkReason> {
    let mut out = Vec::new();
    if a.case_id == b.case_id {
        return out;
    }
    for s in &a.suspects {
        if b.suspects.contains(s) && !out.contains(&LinkReason::SharedSuspect(*s)) {
            out.push(LinkReason::SharedSuspect(*s));
        }
    }
    for p in &a.phones {
        if b.phones.contains(p) && !out.contains(&LinkReason::SharedPhone(p.clone())) {
            out.push(LinkReason::SharedPhone(p.clone()));
        }
    }
    let b_keys: Vec<String> = b
        .accounts
        .iter()
        .filter_map(AccountRef::match_key)
        .collect();
    let mut seen_keys: Vec<String> = Vec::new();
    for acc in &a.accounts {
        if let Some(k) = acc.match_key()
            && b_keys.contains(&k)
            && !seen_keys.contains(&k)
        {
            seen_keys.push(k);
            out.push(LinkReason::SharedAccount(acc.clone()));
        }
    }
    for v in &a.vehicles {
        if b.vehicles.contains(v) && !out.contains(&LinkReason::SharedVehicle(v.clone())) {
            out.push(LinkReason::SharedVehicle(v.clone()));
        }
    }
    if a.division == b.division {
        let days_apart = (a.occurred_on - b.occurred_on).whole_days().abs();
        if days_apart <= LINK_WINDOW_DAYS {
            out.push(LinkReason::SamePlaceAndTime {
                division: a.division,
                days_apart,
            });
        }
    }
    out
}

/// 0 to 100: the sum of the reasons' points, capped.
pub fn link_score(reasons: &[LinkReason]) -> u32 {
    reasons.iter().map(LinkReason::points).sum::<u32>().min(100)
}

/// The review of a proposed link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkReview {
    Proposed,
    Confirmed { by: UserId, at: OffsetDateTime },
    Rejected { by: UserId, at: OffsetDateTime },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkReviewEvent {
    Confirm,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link was already {current}; only a proposed link can be reviewed")]
    AlreadyReviewed { current: &'static str },
    #[error("only an investigator or a supervisor can review a link between cases")]
    RoleRequired,
}

impl LinkError {
    pub fn code(&self) -> &'static str {
        match self {
            LinkError::AlreadyReviewed { .. } => "case_link.already_reviewed",
            LinkError::RoleRequired => "case_link.role_required",
        }
    }
}

impl LinkReview {
    pub fn id(&self) -> &'static str {
        match self {
            LinkReview::Proposed => "proposed",
            LinkReview::Confirmed { .. } => "confirmed",
            LinkReview::Rejected { .. } => "rejected",
        }
    }

    pub fn apply(
        &self,
        event: LinkReviewEvent,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<LinkReview, LinkError> {
        if !matches!(self, LinkReview::Proposed) {
            return Err(LinkError::AlreadyReviewed { current: self.id() });
        }
        if !actor.roles.contains(Role::Investigator) && !actor.roles.contains(Role::Supervisor) {
            return Err(LinkError::RoleRequired);
        }
        let by = actor.user_id.clone();
        Ok(match event {
            LinkReviewEvent::Confirm => LinkReview::Confirmed { by, at: now },
            LinkReviewEvent::Reject => LinkReview::Rejected { by, at: now },
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn blind_index_hex_round_trip() {
        let hex = "00ff".repeat(16);
        let b = BlindIndex::parse_hex(&hex).unwrap();
        assert_eq!(b.as_bytes()[1], 0xff);
        assert_eq!(b.to_hex(), hex);
        assert_eq!(BlindIndex::parse_hex(&hex.to_uppercase()).unwrap(), b);
        assert_eq!(format!("{b:?}"), "BlindIndex(00ff…)");
        assert_eq!(
            BlindIndex::parse_hex("abc").unwrap_err(),
            BlindIndexError::Length { found: 3 }
        );
        let bad = format!("{}g{}", "0".repeat(10), "0".repeat(53));
        assert_eq!(
            BlindIndex::parse_hex(&bad).unwrap_err(),
            BlindIndexError::Character { position: 11 }
        );
        assert_eq!(
            BlindIndex::parse_hex(&"é".repeat(64)).unwrap_err().code(),
            "blind_index.character"
        );
    }

    #[test]
    fn score_caps_at_100() {
        let s = BlindIndex::from_bytes([1; 32]);
        assert_eq!(link_score(&[]), 0);
        assert_eq!(link_score(&[LinkReason::SharedSuspect(s)]), 60);
        assert_eq!(
            link_score(&[LinkReason::SharedSuspect(s), LinkReason::SharedSuspect(s)]),
            100
        );
    }

    fn facts(id: &str, division: &str, occurred_on: Date) -> CaseFacts {
        CaseFacts {
            case_id: CaseId::new(id),
            suspects: vec![],
            phones: vec![],
            vehicles: vec![],
            accounts: vec![],
            division: DivisionCode::parse(division).unwrap(),
            occurred_on,
        }
    }

    fn ids(reasons: &[LinkReason]) -> Vec<&'static str> {
        reasons.iter().map(LinkReason::id).collect()
    }

    #[test]
    fn each_shared_identifier_is_a_reason() {
        let mut a = facts("c1", "430203", date!(2025 - 01 - 01));
        let mut b = facts("c2", "430302", date!(2026 - 01 - 01));
        assert!(propose_links(&a, &b).is_empty());

        let suspect = BlindIndex::from_bytes([9; 32]);
        a.suspects = vec![BlindIndex::from_bytes([1; 32]), suspect, suspect];
        b.suspects = vec![suspect];
        a.phones = vec![Phone::parse("13800001234").unwrap()];
        b.phones = vec![
            Phone::parse("+86 138 0000 1234").unwrap(),
            Phone::parse("13900001234").unwrap(),
        ];
        a.vehicles = vec![VehiclePlate::parse("湘B12345").unwrap()];
        b.vehicles = vec![VehiclePlate::parse("湘b·12345").unwrap()];
        a.accounts = vec![
            AccountRef::parse("6222 0212 3456").unwrap(),
            AccountRef::parse("622202123456").unwrap(),
        ];
        b.accounts = vec![AccountRef::parse("6222-0212-3456").unwrap()];

        let r = propose_links(&a, &b);
        assert_eq!(
            ids(&r),
            [
                "shared_suspect",
                "shared_phone",
                "shared_account",
                "shared_vehicle"
            ]
        );
        assert_eq!(r[0], LinkReason::SharedSuspect(suspect));
        assert_eq!(link_score(&r), 100);
        let mut back = ids(&propose_links(&b, &a));
        back.sort();
        let mut forth = ids(&r);
        forth.sort();
        assert_eq!(back, forth, "symmetric up to order");
    }

    #[test]
    fn place_and_time_need_the_same_county_within_30_days() {
        let a = facts("c1", "430223", date!(2026 - 03 - 01));
        let within = facts("c2", "430223", date!(2026 - 03 - 31));
        assert_eq!(
            propose_links(&a, &within),
            vec![LinkReason::SamePlaceAndTime {
                division: a.division,
                days_apart: 30
            }]
        );
        assert_eq!(link_score(&propose_links(&a, &within)), 20);
        assert_eq!(propose_links(&within, &a), propose_links(&a, &within));
        let too_late = facts("c3", "430223", date!(2026 - 04 - 01));
        assert!(propose_links(&a, &too_late).is_empty());
        let elsewhere = facts("c4", "430224", date!(2026 - 03 - 02));
        assert!(propose_links(&a, &elsewhere).is_empty());
    }

    #[test]
    fn a_case_is_not_linked_to_itself() {
        let mut a = facts("c1", "430223", date!(2026 - 03 - 01));
        a.phones = vec![Phone::parse("13800001234").unwrap()];
        assert!(propose_links(&a, &a.clone()).is_empty());
    }

    #[test]
    fn short_account_fragments_do_not_link() {
        let mut a = facts("c1", "430203", date!(2025 - 01 - 01));
        let mut b = facts("c2", "430302", date!(2026 - 01 - 01));
        a.accounts = vec![AccountRef::parse("微信").unwrap()];
        b.accounts = vec![AccountRef::parse("微信").unwrap()];
        assert!(propose_links(&a, &b).is_empty());
    }

    fn actor(user: &str, roles: &[Role]) -> Actor {
        Actor {
            user_id: UserId::new(user),
            unit_id: crate::ids::UnitId::new("psb"),
            roles: roles.iter().copied().collect(),
            second_factor_verified: true,
        }
    }

    #[test]
    fn an_investigator_reviews_a_proposed_link_once() {
        let now = datetime!(2026-03-02 10:00 +8);
        let inv = actor("inv1", &[Role::Investigator]);
        let confirmed = LinkReview::Proposed
            .apply(LinkReviewEvent::Confirm, &inv, now)
            .unwrap();
        assert_eq!(
            confirmed,
            LinkReview::Confirmed {
                by: UserId::new("inv1"),
                at: now
            }
        );
        let rejected = LinkReview::Proposed
            .apply(
                LinkReviewEvent::Reject,
                &actor("s", &[Role::Supervisor]),
                now,
            )
            .unwrap();
        assert_eq!(rejected.id(), "rejected");
        assert_eq!(
            confirmed.apply(LinkReviewEvent::Reject, &inv, now),
            Err(LinkError::AlreadyReviewed {
                current: "confirmed"
            })
        );
        assert_eq!(
            rejected
                .apply(LinkReviewEvent::Confirm, &inv, now)
                .unwrap_err()
                .code(),
            "case_link.already_reviewed"
        );
        for roles in [
            &[Role::Caseworker][..],
            &[Role::Office],
            &[Role::Admin],
            &[],
        ] {
            assert_eq!(
                LinkReview::Proposed.apply(LinkReviewEvent::Confirm, &actor("x", roles), now),
                Err(LinkError::RoleRequired)
            );
        }
    }
}
