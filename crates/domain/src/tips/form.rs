//! The public tip form, parsed once into a [`ValidTip`].
//!
//! A person who reports trafficking may be frightened, in a hurry, or typing on a phone:
//! the form asks little, accepts what people really type (full-width digits, plates with
//! a dot, blank rows of a list), and when something is wrong it reports **every** problem
//! at once, each naming its field (`phones[2]`, `people_at_risk[0].count`) and carrying a
//! stable code for the translated message.

use std::fmt;

use serde::Deserialize;
use time::macros::{format_description, offset};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::account::AccountRef;
use super::plate::VehiclePlate;
use super::urgency::TipUrgency;
use crate::divisions::{self, DivisionCode, Level};
use crate::ids::{PersonName, Phone, fold_full_width, is_bidi_control};
use crate::mask::AgeBand;

const WHAT_MIN: usize = 10;
const WHAT_MAX: usize = 5000;
const ADDRESS_MAX: usize = 200;
const SUSPECT_MAX: usize = 500;
const MAX_GROUPS: usize = 20;
const MAX_PEOPLE: u32 = 999;
const MAX_SUSPECTS: usize = 20;
const MAX_VEHICLES: usize = 10;
const MAX_PHONES: usize = 10;
const MAX_ACCOUNTS: usize = 10;
/// Older events are for historians; a date before this is a typing error.
const EARLIEST_YEAR: i32 = 1950;

/// One group of people at risk, as typed: "3", "female", "6-13".
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RiskGroupForm {
    pub count: String,
    /// `female`, `male`, `mixed`, `unknown` (or blank).
    pub sex: String,
    /// An [`AgeBand`] id (`0-2`, `3-5`, `6-13`, `14-17`, …, `60+`), `unknown` or blank.
    pub age_band: String,
}

/// How the reporter may be reached; both fields blank for an anonymous tip.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    pub phone: String,
}

impl fmt::Debug for ContactForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactForm")
            .field("name", &crate::mask::name(&self.name))
            .field("phone", &crate::mask::phone(&self.phone))
            .finish()
    }
}

/// The public submission exactly as received. Lists may contain blank entries (empty
/// rows of the form), which are skipped; error field names keep their original index.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PublicTipForm {
    /// What happened, in the reporter's words.
    pub what_happened: String,
    /// The county-level division where it happened (six digits).
    pub division: String,
    pub address: String,
    /// `YYYY-MM-DD`, China time.
    pub date: String,
    /// `HH:MM`, optional.
    pub time: String,
    pub people_at_risk: Vec<RiskGroupForm>,
    /// Descriptions of suspects: looks, names used, accents…
    pub suspects: Vec<String>,
    pub vehicles: Vec<String>,
    pub phones: Vec<String>,
    pub accounts: Vec<String>,
    pub child_involved: bool,
    pub immediate_danger: bool,
    pub contact: ContactForm,
}

impl fmt::Debug for PublicTipForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What a reporter writes can identify them and the victims; a log gets its shape only.
        f.debug_struct("PublicTipForm")
            .field("what_happened_chars", &self.what_happened.chars().count())
            .field("division", &self.division)
            .field("date", &self.date)
            .field("people_at_risk", &self.people_at_risk)
            .field("suspects", &self.suspects.len())
            .field("vehicles", &self.vehicles.len())
            .field("phones", &self.phones.len())
            .field("accounts", &self.accounts.len())
            .field("child_involved", &self.child_involved)
            .field("immediate_danger", &self.immediate_danger)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

/// One problem with one field of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipFieldError {
    /// The field as the form names it: `division`, `phones[2]`, `people_at_risk[0].count`.
    pub field: String,
    /// Stable code for the translated message, e.g. `tip.date.future` or, for a value
    /// parsed by its own type, that type's code (`phone.mobile_length`).
    pub code: &'static str,
    /// English explanation for logs and API clients.
    pub message: String,
}

impl fmt::Display for TipFieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every problem found in a form, in field order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipFormErrors(Vec<TipFieldError>);

impl TipFormErrors {
    pub fn errors(&self) -> &[TipFieldError] {
        &self.0
    }

    /// The problems with one field.
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a TipFieldError> + 'a {
        self.0.iter().filter(move |e| e.field == field)
    }

    /// `(field, code)` pairs, for tests and API answers.
    pub fn codes(&self) -> Vec<(&str, &'static str)> {
        self.0.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }
}

impl fmt::Display for TipFormErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(
            f,
            "the tip form has {} problem(s): {}",
            self.0.len(),
            parts.join("; ")
        )
    }
}

impl std::error::Error for TipFormErrors {}

/// The sex of a group of people at risk, as far as the reporter knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskSex {
    Female,
    Male,
    Mixed,
    Unknown,
}

impl RiskSex {
    pub fn id(self) -> &'static str {
        match self {
            RiskSex::Female => "female",
            RiskSex::Male => "male",
            RiskSex::Mixed => "mixed",
            RiskSex::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Option<RiskSex> {
        match s.trim().to_ascii_lowercase().as_str() {
            "female" => Some(RiskSex::Female),
            "male" => Some(RiskSex::Male),
            "mixed" => Some(RiskSex::Mixed),
            "unknown" | "" => Some(RiskSex::Unknown),
            _ => None,
        }
    }
}

/// A group of people at risk: how many, their sex, their approximate age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskGroup {
    pub count: u32,
    pub sex: RiskSex,
    /// `None` when the reporter could not tell.
    pub age_band: Option<AgeBand>,
}

/// When it happened: a day, and the time if the reporter knows it (China time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TipWhen {
    pub date: Date,
    pub time: Option<Time>,
}

impl TipWhen {
    /// The span of time the report can mean: one instant if the time is known, else the
    /// whole day.
    pub fn span(&self) -> (OffsetDateTime, OffsetDateTime) {
        match self.time {
            Some(t) => {
                let at = PrimitiveDateTime::new(self.date, t).assume_offset(offset!(+8));
                (at, at)
            }
            None => {
                let start = self.date.midnight().assume_offset(offset!(+8));
                (start, start + Duration::days(1))
            }
        }
    }

    /// The shortest time between the two spans; zero when they overlap.
    pub fn gap(&self, other: &TipWhen) -> Duration {
        let (a0, a1) = self.span();
        let (b0, b1) = other.span();
        if a1 < b0 {
            b0 - a1
        } else if b1 < a0 {
            a0 - b1
        } else {
            Duration::ZERO
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<PersonName>,
    pub phone: Option<Phone>,
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contact")
            .field("name", &self.name)
            .field("phone", &self.phone)
            .finish()
    }
}

/// A tip that passed every check of the public form.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidTip {
    what_happened: String,
    division: DivisionCode,
    address: Option<String>,
    when: TipWhen,
    people_at_risk: Vec<RiskGroup>,
    suspects: Vec<String>,
    vehicles: Vec<VehiclePlate>,
    phones: Vec<Phone>,
    accounts: Vec<AccountRef>,
    child_involved: bool,
    immediate_danger: bool,
    contact: Option<Contact>,
}

impl fmt::Debug for ValidTip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidTip")
            .field("what_happened_chars", &self.what_happened.chars().count())
            .field("division", &self.division)
            .field("when", &self.when)
            .field("people_at_risk", &self.people_at_risk)
            .field("suspects", &self.suspects.len())
            .field("vehicles", &self.vehicles)
            .field("phones", &self.phones)
            .field("accounts", &self.accounts)
            .field("child_involved", &self.child_involved)
            .field("immediate_danger", &self.immediate_danger)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

impl ValidTip {
    pub fn what_happened(&self) -> &str {
        &self.what_happened
    }
    pub fn division(&self) -> DivisionCode {
        self.division
    }
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }
    pub fn when(&self) -> TipWhen {
        self.when
    }
    pub fn people_at_risk(&self) -> &[RiskGroup] {
        &self.people_at_risk
    }
    pub fn people_at_risk_total(&self) -> u32 {
        self.people_at_risk.iter().map(|g| g.count).sum()
    }
    pub fn suspects(&self) -> &[String] {
        &self.suspects
    }
    pub fn vehicles(&self) -> &[VehiclePlate] {
        &self.vehicles
    }
    pub fn phones(&self) -> &[Phone] {
        &self.phones
    }
    pub fn accounts(&self) -> &[AccountRef] {
        &self.accounts
    }
    pub fn child_involved(&self) -> bool {
        self.child_involved
    }
    pub fn immediate_danger(&self) -> bool {
        self.immediate_danger
    }
    pub fn contact(&self) -> Option<&Contact> {
        self.contact.as_ref()
    }

    /// The reporter ticked "a child is involved", or a group at risk is under 18.
    pub fn involves_minor(&self) -> bool {
        self.child_involved
            || self
                .people_at_risk
                .iter()
                .any(|g| g.age_band.is_some_and(AgeBand::is_minor))
    }

    pub fn urgency(&self) -> TipUrgency {
        TipUrgency::assess(self.involves_minor(), self.immediate_danger)
    }
}

/// Collects problems while the form is read.
struct Errors(Vec<TipFieldError>);

impl Errors {
    fn push(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.0.push(TipFieldError {
            field: field.into(),
            code,
            message: message.into(),
        });
    }
}

enum TextProblem {
    Short(usize),
    Long(usize),
    Control(usize),
}

/// Trims, turns CRLF into LF, refuses control characters other than line breaks and
/// tabs (and bidirectional overrides), and counts characters.
fn free_text(s: &str, min: usize, max: usize) -> Result<String, TextProblem> {
    let t = s.trim().replace("\r\n", "\n");
    for (i, c) in t.chars().enumerate() {
        if (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c) {
            return Err(TextProblem::Control(i + 1));
        }
    }
    let n = t.chars().count();
    if n < min {
        return Err(TextProblem::Short(n));
    }
    if n > max {
        return Err(TextProblem::Long(n));
    }
    Ok(t)
}

fn folded(s: &str) -> String {
    s.trim().chars().map(fold_full_width).collect()
}

fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace())
}

/// Today in China: dates on the form are local dates.
fn china_date(now: OffsetDateTime) -> Date {
    now.to_offset(offset!(+8)).date()
}

impl PublicTipForm {
    /// Checks every field against `now` (dates may not lie in the future) and returns the
    /// valid tip, or every problem found.
    pub fn validate(&self, now: OffsetDateTime) -> Result<ValidTip, TipFormErrors> {
        let mut e = Errors(Vec::new());

        let what_happened = match free_text(&self.what_happened, WHAT_MIN, WHAT_MAX) {
            Ok(t) => Some(t),
            Err(TextProblem::Short(n)) => {
                e.push(
                    "what_happened",
                    "tip.what_happened.too_short",
                    format!("describe what happened in at least {WHAT_MIN} characters, found {n}"),
                );
                None
            }
            Err(TextProblem::Long(n)) => {
                e.push(
                    "what_happened",
                    "tip.what_happened.too_long",
                    format!("at most {WHAT_MAX} characters, found {n}"),
                );
                None
            }
            Err(TextProblem::Control(p)) => {
                e.push(
                    "what_happened",
                    "tip.what_happened.control",
                    format!("character {p} is a control character"),
                );
                None
            }
        };

        let division = parse_division(&self.division, &mut e);

        let address = if is_blank(&self.address) {
            None
        } else {
            match free_text(&self.address, 1, ADDRESS_MAX) {
                Ok(t) => Some(t),
                Err(TextProblem::Long(n)) => {
                    e.push(
                        "address",
                        "tip.address.too_long",
                        format!("at most {ADDRESS_MAX} characters, found {n}"),
                    );
                    None
                }
                Err(TextProblem::Control(p)) | Err(TextProblem::Short(p)) => {
                    e.push(
                        "address",
                        "tip.address.control",
                        format!("character {p} is a control character"),
                    );
                    None
                }
            }
        };

        let when = parse_when(&self.date, &self.time, now, &mut e);
        let people_at_risk = parse_groups(&self.people_at_risk, &mut e);

        let mut suspects = Vec::new();
        let filled = non_blank(&self.suspects);
        if filled.len() > MAX_SUSPECTS {
            e.push(
                "suspects",
                "tip.suspects.too_many",
                format!(
                    "at most {MAX_SUSPECTS} descriptions, found {}",
                    filled.len()
                ),
            );
        }
        for (i, s) in filled.into_iter().take(MAX_SUSPECTS) {
            match free_text(s, 1, SUSPECT_MAX) {
                Ok(t) => suspects.push(t),
                Err(TextProblem::Long(n)) => e.push(
                    format!("suspects[{i}]"),
                    "tip.suspects.too_long",
                    format!("at most {SUSPECT_MAX} characters, found {n}"),
                ),
                Err(TextProblem::Control(p)) | Err(TextProblem::Short(p)) => e.push(
                    format!("suspects[{i}]"),
                    "tip.suspects.control",
                    format!("character {p} is a control character"),
                ),
            }
        }

        let vehicles = parse_list(&self.vehicles, &VEHICLES, &mut e, |s| {
            VehiclePlate::parse(s).map_err(|x| (x.code(), x.to_string()))
        });
        let phones = parse_list(&self.phones, &PHONES, &mut e, |s| {
            Phone::parse(s).map_err(|x| (x.code(), x.to_string()))
        });
        let accounts = parse_list(&self.accounts, &ACCOUNTS, &mut e, |s| {
            AccountRef::parse(s).map_err(|x| (x.code(), x.to_string()))
        });

        let contact = parse_contact(&self.contact, &mut e);

        match (what_happened, division, when, people_at_risk) {
            (Some(what_happened), Some(division), Some(when), Some(people_at_risk))
                if e.0.is_empty() =>
            {
                Ok(ValidTip {
                    what_happened,
                    division,
                    address,
                    when,
                    people_at_risk,
                    suspects,
                    vehicles,
                    phones,
                    accounts,
                    child_involved: self.child_involved,
                    immediate_danger: self.immediate_danger,
                    contact,
                })
            }
            _ => Err(TipFormErrors(e.0)),
        }
    }
}

fn non_blank(items: &[String]) -> Vec<(usize, &str)> {
    items
        .iter()
        .enumerate()
        .filter(|(_, s)| !is_blank(s))
        .map(|(i, s)| (i, s.as_str()))
        .collect()
}

/// A list of identifiers on the form: its name, how many it may hold, and the code for
/// too many.
struct ListField {
    name: &'static str,
    max: usize,
    too_many: &'static str,
}

const VEHICLES: ListField = ListField {
    name: "vehicles",
    max: MAX_VEHICLES,
    too_many: "tip.vehicles.too_many",
};
const PHONES: ListField = ListField {
    name: "phones",
    max: MAX_PHONES,
    too_many: "tip.phones.too_many",
};
const ACCOUNTS: ListField = ListField {
    name: "accounts",
    max: MAX_ACCOUNTS,
    too_many: "tip.accounts.too_many",
};

/// Parses the non-blank entries of a list, reporting each bad one under its original
/// index, and keeps each value once: the same phone typed twice is one phone.
fn parse_list<T: PartialEq>(
    items: &[String],
    field: &ListField,
    e: &mut Errors,
    parse: impl Fn(&str) -> Result<T, (&'static str, String)>,
) -> Vec<T> {
    let filled = non_blank(items);
    if filled.len() > field.max {
        e.push(
            field.name,
            field.too_many,
            format!("at most {} entries, found {}", field.max, filled.len()),
        );
    }
    let mut out: Vec<T> = Vec::new();
    for (i, s) in filled.into_iter().take(field.max) {
        match parse(s) {
            Ok(v) if out.contains(&v) => {}
            Ok(v) => out.push(v),
            Err((code, message)) => e.push(format!("{}[{i}]", field.name), code, message),
        }
    }
    out
}

fn parse_division(s: &str, e: &mut Errors) -> Option<DivisionCode> {
    if is_blank(s) {
        e.push(
            "division",
            "tip.division.required",
            "choose the county or district where it happened",
        );
        return None;
    }
    let code = match DivisionCode::parse(&folded(s)) {
        Ok(c) => c,
        Err(x) => {
            e.push("division", x.code(), x.to_string());
            return None;
        }
    };
    match divisions::lookup(code) {
        Some(d) if d.level() == Level::County && d.is_in_use() => Some(code),
        Some(d) if d.level() == Level::County => {
            e.push(
                "division",
                "tip.division.not_in_use",
                format!(
                    "{code} ({}) is no longer in use; choose today's county or district",
                    d.name()
                ),
            );
            None
        }
        _ => {
            e.push(
                "division",
                "tip.division.not_county",
                format!("{code} is not a county-level division; choose a county or district"),
            );
            None
        }
    }
}

fn parse_when(date: &str, time: &str, now: OffsetDateTime, e: &mut Errors) -> Option<TipWhen> {
    if is_blank(date) {
        e.push(
            "date",
            "tip.date.required",
            "give the date it happened, even approximately",
        );
        return None;
    }
    let date = match Date::parse(&folded(date), format_description!("[year]-[month]-[day]")) {
        Ok(d) => d,
        Err(_) => {
            e.push("date", "tip.date.format", "write the date as YYYY-MM-DD");
            return None;
        }
    };
    let today = china_date(now);
    let earliest = Date::from_calendar_date(EARLIEST_YEAR, Month::January, 1).unwrap_or(Date::MIN);
    if date > today {
        e.push("date", "tip.date.future", "the date lies in the future");
        return None;
    }
    if date < earliest {
        e.push(
            "date",
            "tip.date.before_1950",
            format!("the date lies before {EARLIEST_YEAR}"),
        );
        return None;
    }
    let time = if is_blank(time) {
        None
    } else {
        match Time::parse(&folded(time), format_description!("[hour]:[minute]")) {
            Ok(t) => Some(t),
            Err(_) => {
                e.push(
                    "time",
                    "tip.time.format",
                    "write the time as HH:MM (24-hour clock)",
                );
                return None;
            }
        }
    };
    let when = TipWhen { date, time };
    if time.is_some() && when.span().0 > now {
        e.push("time", "tip.time.future", "the time lies in the future");
        return None;
    }
    Some(when)
}

fn parse_groups(groups: &[RiskGroupForm], e: &mut Errors) -> Option<Vec<RiskGroup>> {
    let filled: Vec<(usize, &RiskGroupForm)> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !(is_blank(&g.count) && is_blank(&g.sex) && is_blank(&g.age_band)))
        .collect();
    if filled.is_empty() {
        e.push(
            "people_at_risk",
            "tip.people_at_risk.required",
            "say how many people are at risk, even approximately",
        );
        return None;
    }
    if filled.len() > MAX_GROUPS {
        e.push(
            "people_at_risk",
            "tip.people_at_risk.too_many_groups",
            format!("at most {MAX_GROUPS} groups, found {}", filled.len()),
        );
        return None;
    }
    let before = e.0.len();
    let mut out = Vec::new();
    for (i, g) in filled {
        let count = match folded(&g.count).parse::<u32>() {
            Ok(n) if (1..=MAX_PEOPLE).contains(&n) => Some(n),
            Ok(n) => {
                e.push(
                    format!("people_at_risk[{i}].count"),
                    "tip.people_at_risk.count.range",
                    format!("between 1 and {MAX_PEOPLE}, found {n}"),
                );
                None
            }
            Err(_) => {
                e.push(
                    format!("people_at_risk[{i}].count"),
                    "tip.people_at_risk.count.format",
                    "write the number of people in digits",
                );
                None
            }
        };
        let sex = RiskSex::parse(&g.sex);
        if sex.is_none() {
            e.push(
                format!("people_at_risk[{i}].sex"),
                "tip.people_at_risk.sex.unknown_value",
                "choose female, male, mixed or unknown",
            );
        }
        let band = g.age_band.trim();
        let age_band = if band.is_empty() || band.eq_ignore_ascii_case("unknown") {
            Some(None)
        } else {
            match AgeBand::ALL.into_iter().find(|b| b.id() == band) {
                Some(b) => Some(Some(b)),
                None => {
                    e.push(
                        format!("people_at_risk[{i}].age_band"),
                        "tip.people_at_risk.age_band.unknown_value",
                        "choose one of the age bands",
                    );
                    None
                }
            }
        };
        if let (Some(count), Some(sex), Some(age_band)) = (count, sex, age_band) {
            out.push(RiskGroup {
                count,
                sex,
                age_band,
            });
        }
    }
    if e.0.len() > before {
        return None;
    }
    let total: u32 = out.iter().map(|g| g.count).sum();
    if total > MAX_PEOPLE {
        e.push(
            "people_at_risk",
            "tip.people_at_risk.total_too_large",
            format!("at most {MAX_PEOPLE} people in all, found {total}"),
        );
        return None;
    }
    Some(out)
}

fn parse_contact(c: &ContactForm, e: &mut Errors) -> Option<Contact> {
    if is_blank(&c.name) && is_blank(&c.phone) {
        return None;
    }
    let name = if is_blank(&c.name) {
        None
    } else {
        match PersonName::parse(&c.name) {
            Ok(n) => Some(n),
            Err(x) => {
                e.push("contact.name", x.code(), x.to_string());
                None
            }
        }
    };
    let phone = if is_blank(&c.phone) {
        None
    } else {
        match Phone::parse(&c.phone) {
            Ok(p) => Some(p),
            Err(x) => {
                e.push("contact.phone", x.code(), x.to_string());
                None
            }
        }
    };
    Some(Contact { name, phone })
}
