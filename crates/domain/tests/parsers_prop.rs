//! Property tests for the parsing constructors.

use fanguai_domain::divisions::{self, all_records};
use fanguai_domain::ids::{
    PersonName, Phone, PhoneKind, Purpose, ResidentId, ResidentIdError, Sex, Username,
    check_character,
};
use fanguai_domain::mask;
use proptest::prelude::*;
use time::{Date, Month, macros::date};

const TODAY: Date = date!(2025 - 06 - 01);

/// Any division code in the history, retired ones included.
fn division_code() -> impl Strategy<Value = String> {
    let n = all_records().len();
    (0..n).prop_map(|i| all_records()[i].code().to_string())
}

fn birth_date(from_year: i32, to: Date) -> impl Strategy<Value = Date> {
    let first = Date::from_calendar_date(from_year, Month::January, 1)
        .unwrap()
        .to_julian_day();
    (first..=to.to_julian_day()).prop_map(|d| Date::from_julian_day(d).unwrap())
}

fn yyyymmdd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day())
}

prop_compose! {
    /// The first 17 characters of a valid 18-character number, and its parts.
    fn first17()(code in division_code(), birth in birth_date(1900, TODAY), seq in 0u32..1000)
        -> (String, String, Date, u32) {
        (format!("{code}{}{seq:03}", yyyymmdd(birth)), code, birth, seq)
    }
}

proptest! {
    // Failures are reported with their minimal input; no regression files are written
    // into the source tree.
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn valid_numbers_round_trip((body, code, birth, seq) in first17(), lower_x in any::<bool>()) {
        let check = check_character(&body).unwrap();
        let typed = format!("{body}{}", if lower_x && check == 'X' { 'x' } else { check });
        let id = ResidentId::parse_at(&typed, TODAY).unwrap();
        prop_assert_eq!(id.as_str(), format!("{body}{check}"));
        prop_assert_eq!(id.birth_date(), birth);
        prop_assert_eq!(id.division().to_string(), code);
        prop_assert_eq!(id.sex(), if seq % 2 == 1 { Sex::Male } else { Sex::Female });
        prop_assert_eq!(id.normalized_for_index(), id.as_str());
        prop_assert_eq!(ResidentId::parse_at(id.as_str(), TODAY).unwrap(), id.clone());
        let masked = id.masked();
        prop_assert_eq!(masked.chars().count(), 18);
        prop_assert_eq!(&masked[..4], &id.as_str()[..4]);
        prop_assert_eq!(&masked[14..], &id.as_str()[14..]);
        prop_assert!(masked[4..14].chars().all(|c| c == '*'));
    }

    /// MOD 11-2 weights are all non-zero mod 11 and a digit changes by at most ±9, so a
    /// change of any one of the first 17 digits always changes the check character.
    #[test]
    fn any_single_digit_change_breaks_the_check((body, ..) in first17(), pos in 0usize..17, delta in 1u8..10) {
        let check = check_character(&body).unwrap();
        let mut altered = body.clone().into_bytes();
        altered[pos] = b'0' + (altered[pos] - b'0' + delta) % 10;
        let altered = String::from_utf8(altered).unwrap();
        prop_assert_ne!(check_character(&altered).unwrap(), check);
        // The parser refuses the altered number, whichever part the digit was in.
        let typed = format!("{altered}{check}");
        prop_assert!(ResidentId::parse_at(&typed, TODAY).is_err());
    }

    #[test]
    fn a_wrong_check_character_is_named((body, ..) in first17(), wrong in 0usize..11) {
        let check = check_character(&body).unwrap();
        let candidate = b"0123456789X"[wrong] as char;
        prop_assume!(candidate != check);
        let e = ResidentId::parse_at(&format!("{body}{candidate}"), TODAY).unwrap_err();
        prop_assert_eq!(e, ResidentIdError::CheckDigit);
    }

    #[test]
    fn legacy_numbers_convert(code in division_code(), birth in birth_date(1900, date!(1999 - 12 - 31)), seq in 0u32..1000) {
        let old = format!("{code}{}{seq:03}", &yyyymmdd(birth)[2..]);
        let id = ResidentId::parse_at(&old, TODAY).unwrap();
        prop_assert!(id.is_legacy());
        let new = id.to_eighteen();
        prop_assert_eq!(new.as_str().len(), 18);
        let reparsed = ResidentId::parse_at(new.as_str(), TODAY).unwrap();
        prop_assert_eq!(reparsed.birth_date(), birth);
        prop_assert_eq!(reparsed.sex(), id.sex());
        prop_assert_eq!(reparsed.division(), id.division());
        prop_assert_eq!(id.normalized_for_index(), new.normalized_for_index());
    }

    #[test]
    fn mobiles_parse_in_any_spelling(
        second in 3u8..10,
        rest in proptest::collection::vec(0u8..10, 9),
        prefix in prop::sample::select(vec!["", "+86", "+86 ", "0086", "86", "(+86) "]),
        sep in prop::sample::select(vec!["", " ", "-", "."]),
    ) {
        let digits: String = std::iter::once(1).chain(std::iter::once(second)).chain(rest).map(|d| char::from(b'0' + d)).collect();
        let typed = format!("{prefix}{}{sep}{}{sep}{}", &digits[..3], &digits[3..7], &digits[7..]);
        let p = Phone::parse(&typed).unwrap();
        prop_assert_eq!(p.kind(), PhoneKind::Mobile);
        prop_assert_eq!(p.as_str(), digits.as_str());
        prop_assert_eq!(p.masked(), format!("{}****{}", &digits[..3], &digits[7..]));
        prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p.clone());
        prop_assert_eq!(Phone::parse(&p.e164()).unwrap(), p);
    }

    #[test]
    fn landlines_parse_and_round_trip(
        area in prop::sample::select(vec!["010", "020", "021", "0731", "0733", "0991"]),
        first in 2u8..10,
        rest in proptest::collection::vec(0u8..10, 6..=7),
        sep in prop::sample::select(vec!["", "-", " "]),
    ) {
        let subscriber: String = std::iter::once(first).chain(rest).map(|d| char::from(b'0' + d)).collect();
        let p = Phone::parse(&format!("{area}{sep}{subscriber}")).unwrap();
        prop_assert_eq!(p.kind(), PhoneKind::Landline);
        prop_assert_eq!(p.as_str(), format!("{area}-{subscriber}"));
        prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p.clone());
        prop_assert_eq!(Phone::parse(&p.e164()).unwrap(), p.clone());
        prop_assert!(p.masked().ends_with(&subscriber[subscriber.len() - 4..]));
        prop_assert!(!p.masked().contains(&subscriber));
    }

    #[test]
    fn phone_parse_never_panics(s in "\\PC{0,24}") {
        let _ = Phone::parse(&s);
        let _ = mask::phone(&s);
    }

    #[test]
    fn usernames_are_canonical(s in "[a-zA-Z0-9][a-zA-Z0-9._-]{2,31}") {
        let u = Username::parse(&s).unwrap();
        prop_assert_eq!(u.as_str(), s.to_ascii_lowercase());
        prop_assert_eq!(Username::parse(u.as_str()).unwrap(), u);
    }

    #[test]
    fn names_parse_idempotently_and_mask_to_the_same_length(s in "\\PC{1,70}") {
        if let Ok(n) = PersonName::parse(&s) {
            prop_assert_eq!(PersonName::parse(n.as_str()).unwrap(), n.clone());
            let masked = PersonName::parse(&n.masked()).unwrap();
            prop_assert_eq!(masked.grapheme_count(), n.grapheme_count());
        }
    }

    #[test]
    fn chinese_names_show_only_the_surname(s in "[\u{4e00}-\u{9fa5}]{2,6}") {
        let masked = mask::name(&s);
        let chars: Vec<char> = s.chars().collect();
        let kept = masked.chars().take_while(|c| *c != '*').count();
        prop_assert!(kept == 1 || (kept == 2 && chars.len() >= 3), "{} → {}", s, masked);
        prop_assert_eq!(&masked.chars().take(kept).collect::<Vec<_>>()[..], &chars[..kept]);
        prop_assert_eq!(masked.chars().skip(kept).filter(|c| *c == '*').count(), chars.len() - kept);
    }

    #[test]
    fn purposes_parse_idempotently(s in "\\PC{0,600}") {
        if let Ok(p) = Purpose::parse(&s) {
            prop_assert_eq!(Purpose::parse(p.as_str()).unwrap(), p);
        }
    }

    #[test]
    fn id_parse_never_panics(s in "[0-9Xx ]{0,20}|\\PC{0,20}") {
        let _ = ResidentId::parse_at(&s, TODAY);
        let _ = mask::resident_id(&s);
    }
}

#[test]
fn every_retired_code_in_the_history_is_a_valid_address_code() {
    let mut retired = 0;
    for d in all_records().iter().filter(|d| !d.is_in_use()) {
        let body = format!("{}19900101001", d.code());
        let id = format!("{body}{}", check_character(&body).unwrap());
        assert!(
            ResidentId::parse_at(&id, TODAY).is_ok(),
            "{} {}",
            d.code(),
            d.name()
        );
        retired += 1;
    }
    assert!(retired > 3000, "{retired}");
    assert!(divisions::lookup(fanguai_domain::DivisionCode::parse("430221").unwrap()).is_some());
}
