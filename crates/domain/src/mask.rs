//! Masked forms: what everyone without need-to-know sees of a person.
//!
//! A masked record keeps enough to coordinate work (the surname, the age band, the
//! district) and too little to find the person. The helpers that take raw text accept
//! whatever the store holds, including data entered before a rule existed, and never
//! fall back to showing the value: text they cannot read is starred out entirely.

use serde::{Deserialize, Serialize};
use time::Date;
use unicode_segmentation::UnicodeSegmentation;

use crate::divisions::{self, DivisionCode};
use crate::ids::Phone;

/// Two-character surnames (复姓). A name that starts with one keeps both characters:
/// 欧阳** rather than 欧***, because 欧 alone would be a different surname.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "呼延", "澹台", "闻人", "申屠", "万俟",
    "太史", "赫连", "钟离", "濮阳", "公冶", "宗政", "仲孙", "单于", "东郭", "百里", "左丘", "第五",
    "谷梁", "拓跋", "司空", "淳于", "公羊", "漆雕", "乐正", "壤驷", "公良", "梁丘", "段干", "巫马",
    "南门", "羊舌", "微生", "子车", "颛孙", "亓官", "司寇", "鲜于", "闾丘",
];

/// Characters that separate the parts of a name and stay visible: spaces, the middle dot
/// of transcribed names (阿卜杜拉·艾则孜), hyphens.
fn is_name_separator(g: &str) -> bool {
    matches!(g, " " | "·" | "•" | "・" | "‧" | "-" | "." | "\u{3000}")
}

/// Masks a name, counting user-perceived characters:
/// - one word: the surname stays, every other character becomes `*` — 张*, 张**,
///   欧阳**; a name of one character becomes `*`, since keeping it would show it all;
/// - several words (spaces, middle dots, hyphens): each word keeps its first character
///   — `J*** D**`, `阿***·艾**`.
pub fn name(s: &str) -> String {
    let s = s.trim();
    let g: Vec<&str> = s.graphemes(true).collect();
    if g.is_empty() {
        return String::new();
    }
    if g.iter().any(|x| is_name_separator(x)) {
        let mut out = String::with_capacity(s.len());
        let mut word_start = true;
        for x in &g {
            if is_name_separator(x) {
                out.push_str(x);
                word_start = true;
            } else if word_start {
                out.push_str(x);
                word_start = false;
            } else {
                out.push('*');
            }
        }
        return out;
    }
    let keep = match g.len() {
        1 => 0,
        2 => 1,
        _ if COMPOUND_SURNAMES.contains(&format!("{}{}", g[0], g[1]).as_str()) => 2,
        _ => 1,
    };
    let mut out: String = g[..keep].concat();
    out.push_str(&"*".repeat(g.len() - keep));
    out
}

/// Masks a phone number as stored: a valid mainland number as [`Phone::masked`]
/// (`138****5678`); anything else keeps its last four digits if it has at least eight,
/// every other digit starred.
pub fn phone(raw: &str) -> String {
    if let Ok(p) = Phone::parse(raw) {
        return p.masked();
    }
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    let keep_from = if digits >= 8 { digits - 4 } else { digits };
    let mut seen = 0;
    raw.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen > keep_from { c } else { '*' }
            } else if c.is_alphanumeric() {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// Masks an ID number as stored, by its shape alone (the birth date need not be judged
/// to hide it): 15 or 18 characters become the form of
/// [`ResidentId::masked`](crate::ids::ResidentId::masked); anything else becomes `******`.
pub fn resident_id(raw: &str) -> String {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let n = compact.chars().count();
    if (n == 15 || n == 18) && compact.is_ascii() {
        format!(
            "{}{}{}",
            &compact[..4],
            "*".repeat(n - 8),
            &compact[n - 4..]
        )
    } else {
        "******".to_owned()
    }
}

/// An address reduced to its county-level division: 株洲市渌口区, 北京市东城区. Streets,
/// villages and house numbers are never shown masked. A "市辖区" code shows as the city's
/// districts: 深圳市市辖区.
pub fn district_only(code: DivisionCode) -> String {
    if let Some(d) = divisions::lookup(code) {
        return d.place_name();
    }
    match code.prefecture().and_then(divisions::lookup) {
        Some(city) => format!("{}市辖区", city.name()),
        None => code.to_string(),
    }
}

/// Age in whole years on `today`; `None` if `birth` is after `today`. A person born on
/// 29 February becomes a year older on 1 March in common years.
pub fn age(birth: Date, today: Date) -> Option<u16> {
    if birth > today {
        return None;
    }
    let mut years = today.year() - birth.year();
    if (today.month() as u8, today.day()) < (birth.month() as u8, birth.day()) {
        years -= 1;
    }
    u16::try_from(years).ok()
}

/// Age bands shown instead of a birth date. The edges follow the law and the work: under
/// 6 (infants and toddlers are the children most often sold), under 14 (a 儿童 in the
/// criminal law of trafficking), under 18 (a minor), then adults in decades-ish bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBand {
    #[serde(rename = "0-2")]
    Under3,
    #[serde(rename = "3-5")]
    From3To5,
    #[serde(rename = "6-13")]
    From6To13,
    #[serde(rename = "14-17")]
    From14To17,
    #[serde(rename = "18-24")]
    From18To24,
    #[serde(rename = "25-34")]
    From25To34,
    #[serde(rename = "35-44")]
    From35To44,
    #[serde(rename = "45-59")]
    From45To59,
    #[serde(rename = "60+")]
    From60,
}

impl AgeBand {
    pub const ALL: [AgeBand; 9] = [
        AgeBand::Under3,
        AgeBand::From3To5,
        AgeBand::From6To13,
        AgeBand::From14To17,
        AgeBand::From18To24,
        AgeBand::From25To34,
        AgeBand::From35To44,
        AgeBand::From45To59,
        AgeBand::From60,
    ];

    pub fn of_age(years: u16) -> AgeBand {
        match years {
            0..=2 => AgeBand::Under3,
            3..=5 => AgeBand::From3To5,
            6..=13 => AgeBand::From6To13,
            14..=17 => AgeBand::From14To17,
            18..=24 => AgeBand::From18To24,
            25..=34 => AgeBand::From25To34,
            35..=44 => AgeBand::From35To44,
            45..=59 => AgeBand::From45To59,
            _ => AgeBand::From60,
        }
    }

    /// `None` if `birth` is after `today`.
    pub fn of(birth: Date, today: Date) -> Option<AgeBand> {
        age(birth, today).map(AgeBand::of_age)
    }

    /// Youngest and oldest age in the band; `None` above for the open band.
    pub fn bounds(self) -> (u16, Option<u16>) {
        match self {
            AgeBand::Under3 => (0, Some(2)),
            AgeBand::From3To5 => (3, Some(5)),
            AgeBand::From6To13 => (6, Some(13)),
            AgeBand::From14To17 => (14, Some(17)),
            AgeBand::From18To24 => (18, Some(24)),
            AgeBand::From25To34 => (25, Some(34)),
            AgeBand::From35To44 => (35, Some(44)),
            AgeBand::From45To59 => (45, Some(59)),
            AgeBand::From60 => (60, None),
        }
    }

    /// Stable id: `"0-2"`, …, `"60+"`.
    pub fn id(self) -> &'static str {
        match self {
            AgeBand::Under3 => "0-2",
            AgeBand::From3To5 => "3-5",
            AgeBand::From6To13 => "6-13",
            AgeBand::From14To17 => "14-17",
            AgeBand::From18To24 => "18-24",
            AgeBand::From25To34 => "25-34",
            AgeBand::From35To44 => "35-44",
            AgeBand::From45To59 => "45-59",
            AgeBand::From60 => "60+",
        }
    }

    pub fn label_zh(self) -> String {
        match self.bounds() {
            (lo, Some(hi)) => format!("{lo}–{hi}岁"),
            (lo, None) => format!("{lo}岁及以上"),
        }
    }

    pub fn label_en(self) -> String {
        match self.bounds() {
            (lo, Some(hi)) => format!("{lo}–{hi} years"),
            (lo, None) => format!("{lo} years and over"),
        }
    }

    pub fn is_minor(self) -> bool {
        self <= AgeBand::From14To17
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn chinese_names_keep_the_surname() {
        assert_eq!(name("张三"), "张*");
        assert_eq!(name("张三丰"), "张**");
        assert_eq!(name("欧阳娜娜"), "欧阳**");
        assert_eq!(name("欧阳修"), "欧阳*");
        assert_eq!(name("欧阳"), "欧*");
        assert_eq!(name("李"), "*");
        assert_eq!(name(""), "");
    }

    #[test]
    fn names_in_words_keep_initials() {
        assert_eq!(name("John Doe"), "J*** D**");
        assert_eq!(name("阿卜杜拉·艾则孜"), "阿***·艾**");
        assert_eq!(name("Jean-Luc Picard"), "J***-L** P*****");
        // Combining accents belong to their letter.
        assert_eq!(name("Jose\u{301} Ma"), "J*** M*");
    }

    #[test]
    fn phones_never_leak() {
        assert_eq!(phone("13812345678"), "138****5678");
        assert_eq!(phone("0731-22334455"), "0731-****4455");
        assert_eq!(phone("+1 415 555 0100"), "+* *** *** 0100");
        assert_eq!(phone("12345"), "*****");
        assert_eq!(phone("call 5551234"), "**** *******");
    }

    #[test]
    fn id_numbers_are_masked_by_shape() {
        assert_eq!(resident_id("43022119900307123X"), "4302**********123X");
        assert_eq!(resident_id("430221900307123"), "4302*******7123");
        assert_eq!(resident_id("4302"), "******");
        assert_eq!(resident_id("４３０２２１９００３０７１２３"), "******");
    }

    #[test]
    fn districts_only() {
        let c = |s| DivisionCode::parse(s).unwrap();
        assert_eq!(district_only(c("430212")), "株洲市渌口区");
        assert_eq!(district_only(c("430221")), "株洲市株洲县");
        assert_eq!(district_only(c("440301")), "深圳市市辖区");
    }

    #[test]
    fn ages_and_bands() {
        let today = date!(2025 - 03 - 01);
        assert_eq!(age(date!(2011 - 03 - 01), today), Some(14));
        assert_eq!(age(date!(2011 - 03 - 02), today), Some(13));
        assert_eq!(age(date!(2008 - 02 - 29), date!(2025 - 02 - 28)), Some(16));
        assert_eq!(age(date!(2008 - 02 - 29), today), Some(17));
        assert_eq!(age(date!(2025 - 03 - 02), today), None);
        assert_eq!(
            AgeBand::of(date!(2011 - 03 - 02), today),
            Some(AgeBand::From6To13)
        );
        assert_eq!(
            AgeBand::of(date!(2011 - 03 - 01), today),
            Some(AgeBand::From14To17)
        );
        assert!(AgeBand::From14To17.is_minor());
        assert!(!AgeBand::From18To24.is_minor());
        assert_eq!(AgeBand::From60.label_zh(), "60岁及以上");
        assert_eq!(AgeBand::From6To13.label_en(), "6–13 years");
        assert_eq!(serde_json::to_string(&AgeBand::From60).unwrap(), "\"60+\"");
    }

    #[test]
    fn bands_cover_every_age_once_in_order() {
        let mut expected_low = 0;
        for b in AgeBand::ALL {
            let (lo, hi) = b.bounds();
            assert_eq!(lo, expected_low, "{b:?}");
            for a in lo..=hi.unwrap_or(lo + 60) {
                assert_eq!(AgeBand::of_age(a), b);
            }
            expected_low = hi.map_or(u16::MAX, |h| h + 1);
            assert_eq!(
                serde_json::to_string(&b).unwrap(),
                format!("\"{}\"", b.id())
            );
        }
    }
}
