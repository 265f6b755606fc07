//! Whether two tips may report the same thing.
//!
//! A trafficking event seen by several people comes in as several tips; an investigator
//! who sees them side by side saves hours and may learn more from the second than the
//! first. The score only proposes: it never merges tips, and every point of it comes with
//! a reason the investigator can check.
//!
//! | evidence | points |
//! |---|---|
//! | same phone number | 45 each |
//! | same account (bank card, payment or chat account) | 45 each |
//! | same vehicle plate | 40 each |
//! | same county and times within 72 h | 25 |
//! | similar text (token Jaccard ≥ 0.2) | Jaccard × 40, rounded |
//!
//! The sum is capped at 100; from [`POSSIBLE_DUPLICATE_THRESHOLD`] on, the pair is shown.
//! One shared identifier alone reaches it, place and time alone do not.

use std::collections::BTreeSet;

use time::Duration;

use super::account::AccountRef;
use super::form::ValidTip;
use super::plate::VehiclePlate;
use crate::divisions::DivisionCode;
use crate::ids::Phone;

pub const POSSIBLE_DUPLICATE_THRESHOLD: u32 = 40;
const PHONE_POINTS: u32 = 45;
const ACCOUNT_POINTS: u32 = 45;
const VEHICLE_POINTS: u32 = 40;
const PLACE_TIME_POINTS: u32 = 25;
const TEXT_POINTS: f64 = 40.0;
const MIN_JACCARD: f64 = 0.2;
const WINDOW: Duration = Duration::hours(72);

#[derive(Debug, Clone, PartialEq)]
pub enum DuplicateReason {
    SamePhone(Phone),
    SameAccount(AccountRef),
    SameVehicle(VehiclePlate),
    /// Same county, and the times the tips describe lie within 72 hours of each other.
    SamePlaceAndTime {
        division: DivisionCode,
        gap: Duration,
    },
    /// Token Jaccard similarity of the two texts, between 0 and 1.
    SimilarText {
        jaccard: f64,
    },
}

impl DuplicateReason {
    pub fn id(&self) -> &'static str {
        match self {
            DuplicateReason::SamePhone(_) => "same_phone",
            DuplicateReason::SameAccount(_) => "same_account",
            DuplicateReason::SameVehicle(_) => "same_vehicle",
            DuplicateReason::SamePlaceAndTime { .. } => "same_place_and_time",
            DuplicateReason::SimilarText { .. } => "similar_text",
        }
    }

    pub fn points(&self) -> u32 {
        match self {
            DuplicateReason::SamePhone(_) => PHONE_POINTS,
            DuplicateReason::SameAccount(_) => ACCOUNT_POINTS,
            DuplicateReason::SameVehicle(_) => VEHICLE_POINTS,
            DuplicateReason::SamePlaceAndTime { .. } => PLACE_TIME_POINTS,
            DuplicateReason::SimilarText { jaccard } => (jaccard * TEXT_POINTS).round() as u32,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateAssessment {
    /// 0 to 100.
    pub score: u32,
    pub reasons: Vec<DuplicateReason>,
}

impl DuplicateAssessment {
    pub fn is_possible_duplicate(&self) -> bool {
        self.score >= POSSIBLE_DUPLICATE_THRESHOLD
    }
}

/// Scores how likely `a` and `b` report the same thing; symmetric in its arguments.
pub fn duplicate_score(a: &ValidTip, b: &ValidTip) -> DuplicateAssessment {
    let mut reasons = Vec::new();
    for p in a.phones() {
        if b.phones().contains(p) {
            reasons.push(DuplicateReason::SamePhone(p.clone()));
        }
    }
    let b_keys: Vec<Option<String>> = b.accounts().iter().map(AccountRef::match_key).collect();
    for acc in a.accounts() {
        if let Some(k) = acc.match_key()
            && b_keys.iter().any(|bk| bk.as_deref() == Some(k.as_str()))
        {
            reasons.push(DuplicateReason::SameAccount(acc.clone()));
        }
    }
    for v in a.vehicles() {
        if b.vehicles().contains(v) {
            reasons.push(DuplicateReason::SameVehicle(v.clone()));
        }
    }
    if a.division() == b.division() {
        let gap = a.when().gap(&b.when());
        if gap <= WINDOW {
            reasons.push(DuplicateReason::SamePlaceAndTime {
                division: a.division(),
                gap,
            });
        }
    }
    let jaccard = text_similarity(a.what_happened(), b.what_happened());
    if jaccard >= MIN_JACCARD {
        reasons.push(DuplicateReason::SimilarText { jaccard });
    }
    let score = reasons
        .iter()
        .map(DuplicateReason::points)
        .sum::<u32>()
        .min(100);
    DuplicateAssessment { score, reasons }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// The tokens of a text: Chinese is written without spaces, so a run of Han characters
/// gives its character bigrams (a lone character gives itself); other letters and digits
/// give lower-case words. Punctuation separates tokens.
pub fn tokens(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut han: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_han = |han: &mut Vec<char>, out: &mut BTreeSet<String>| {
        match han.len() {
            0 => {}
            1 => {
                out.insert(han[0].to_string());
            }
            _ => {
                for w in han.windows(2) {
                    out.insert(w.iter().collect());
                }
            }
        }
        han.clear();
    };
    let flush_word = |word: &mut String, out: &mut BTreeSet<String>| {
        if !word.is_empty() {
            out.insert(std::mem::take(word));
        }
    };
    for c in text.chars().map(crate::ids::fold_full_width) {
        if is_han(c) {
            flush_word(&mut word, &mut out);
            han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_han(&mut han, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_han(&mut han, &mut out);
    flush_word(&mut word, &mut out);
    out
}

/// Jaccard similarity of the two texts' [`tokens`]: shared ÷ all, 0 when either text has
/// no token.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let shared = ta.intersection(&tb).count();
    let all = ta.len() + tb.len() - shared;
    shared as f64 / all as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_gives_bigrams_and_words_stay_whole() {
        assert_eq!(tokens("拐卖儿童"), set(&["拐卖", "卖儿", "儿童"]));
        assert_eq!(tokens("车，跑"), set(&["车", "跑"]));
        assert_eq!(
            tokens("白色 SUV 湘B12345"),
            set(&["白色", "suv", "湘", "b12345"])
        );
        assert_eq!(tokens("ＳＵＶ"), set(&["suv"]));
        assert!(tokens("。，！ ").is_empty());
    }

    #[test]
    fn jaccard_by_hand() {
        // {拐卖, 卖儿, 儿童} vs {拐卖, 卖妇, 妇女}: 1 shared of 5.
        assert!((text_similarity("拐卖儿童", "拐卖妇女") - 0.2).abs() < 1e-12);
        assert_eq!(text_similarity("拐卖儿童", "拐卖儿童"), 1.0);
        assert_eq!(text_similarity("", "拐卖儿童"), 0.0);
        assert_eq!(text_similarity("abc", "def"), 0.0);
        assert_eq!(text_similarity("a b", "b a"), 1.0);
    }

    #[test]
    fn points() {
        assert_eq!(DuplicateReason::SimilarText { jaccard: 0.5 }.points(), 20);
        assert_eq!(DuplicateReason::SimilarText { jaccard: 1.0 }.points(), 40);
        assert_eq!(
            DuplicateReason::SamePlaceAndTime {
                division: DivisionCode::parse("430202").unwrap(),
                gap: Duration::ZERO
            }
            .points(),
            25
        );
    }
}
