//! China's administrative divisions (GB/T 2260, county level and above) from 1981 to
//! today, with their history.
//!
//! History matters because a resident ID number keeps the division code of the place where
//! the person was first registered: an ID issued in 株洲县 (430221, retired in 2018) is
//! valid today. So [`DivisionCode::parse`] accepts every code that ever existed, and
//! [`current_successors`] says which divisions in use now cover a retired one.
//!
//! The table is embedded in the binary and parsed once, on first use.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

const HISTORY_CSV: &str = include_str!("../../../data/divisions/gb2260-history.csv");

const HEADER: [&str; 9] = [
    "代码",
    "一级行政区",
    "二级行政区",
    "名称",
    "级别",
    "状态",
    "启用时间",
    "变更/弃用时间",
    "新代码",
];

/// In the prefecture column, a county-level division directly under its province
/// (districts of Beijing, 仙桃市 in Hubei, …).
const DIRECT: &str = "直辖";

/// Chains of renumbering are short (a handful of steps since 1981); a longer walk means a
/// cycle in the data, which must not hang a request.
const MAX_SUCCESSION_STEPS: usize = 32;

/// A six-digit division code that GB/T 2260 has used at some time since 1981.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    #[error("a division code has 6 digits, found {found} characters")]
    Length { found: usize },
    #[error("a division code has only digits, found {found:?} at position {position}")]
    Character { position: usize, found: char },
    #[error("division code {code} has not been used by GB/T 2260 since 1981")]
    Unknown { code: String },
}

impl DivisionCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            DivisionCodeError::Length { .. } => "division_code.length",
            DivisionCodeError::Character { .. } => "division_code.character",
            DivisionCodeError::Unknown { .. } => "division_code.unknown",
        }
    }
}

impl DivisionCode {
    /// Six ASCII digits (surrounding whitespace ignored) naming a division that existed at
    /// some time since 1981.
    ///
    /// Also accepted: `XXXX01`, the "市辖区" (city districts taken together) entry that
    /// GB/T 2260 listed under every prefecture-level city until the 2010s. The history
    /// table leaves those entries out, yet resident ID numbers issued in those years carry
    /// them (Shenzhen's 440301 is common), so refusing them would refuse real people.
    /// [`lookup`] returns `None` for such a code; [`DivisionCode::is_city_districts`] is
    /// true.
    pub fn parse(s: &str) -> Result<DivisionCode, DivisionCodeError> {
        let s = s.trim();
        let n = six_digits(s)?;
        if history().has_code(n) || history().is_city_districts(n) {
            Ok(DivisionCode(n))
        } else {
            Err(DivisionCodeError::Unknown { code: s.to_owned() })
        }
    }

    /// Parses the first six characters of an ID number; the caller has checked they are
    /// digits.
    pub(crate) fn from_known_digits(n: u32) -> Option<DivisionCode> {
        (history().has_code(n) || history().is_city_districts(n)).then_some(DivisionCode(n))
    }

    pub fn as_u32(self) -> u32 {
        self.0
    }

    /// The province-level division this code lies in (the first two digits).
    pub fn province(self) -> DivisionCode {
        DivisionCode(self.0 / 10_000 * 10_000)
    }

    /// The prefecture-level division this code lies in, if it lies in one: `None` for
    /// provinces, prefectures themselves, and counties directly under their province.
    pub fn prefecture(self) -> Option<DivisionCode> {
        if history().is_city_districts(self.0) {
            return Some(DivisionCode(self.0 / 100 * 100));
        }
        lookup(self).and_then(Division::prefecture)
    }

    /// True for a "市辖区" code that the history table does not list (see [`parse`]).
    ///
    /// [`parse`]: DivisionCode::parse
    pub fn is_city_districts(self) -> bool {
        history().is_city_districts(self.0)
    }
}

fn six_digits(s: &str) -> Result<u32, DivisionCodeError> {
    let found = s.chars().count();
    if found != 6 {
        return Err(DivisionCodeError::Length { found });
    }
    let mut n = 0u32;
    for (i, c) in s.chars().enumerate() {
        let d = c.to_digit(10).filter(|_| c.is_ascii_digit());
        let Some(d) = d else {
            return Err(DivisionCodeError::Character {
                position: i + 1,
                found: c,
            });
        };
        n = n * 10 + d;
    }
    Ok(n)
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl fmt::Debug for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DivisionCode({:06})", self.0)
    }
}

impl Serialize for DivisionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DivisionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DivisionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The level of a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 省级: province, autonomous region, municipality, SAR.
    Province,
    /// 地级: prefecture-level city, prefecture, autonomous prefecture, league.
    Prefecture,
    /// 县级: district, county, county-level city, banner, …
    County,
}

impl Level {
    pub fn name_zh(self) -> &'static str {
        match self {
            Level::Province => "省级",
            Level::Prefecture => "地级",
            Level::County => "县级",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Level::Province => "province level",
            Level::Prefecture => "prefecture level",
            Level::County => "county level",
        }
    }
    fn from_zh(s: &str) -> Option<Level> {
        [Level::Province, Level::Prefecture, Level::County]
            .into_iter()
            .find(|l| l.name_zh() == s)
    }
}

/// What became of a division code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 在用: the code names this division today.
    InUse,
    /// 变更: the code lives on but names a changed area (or was given to another
    /// division); this record describes the earlier meaning.
    Changed,
    /// 弃用: the code is no longer used.
    Retired,
}

impl Status {
    pub fn name_zh(self) -> &'static str {
        match self {
            Status::InUse => "在用",
            Status::Changed => "变更",
            Status::Retired => "弃用",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Status::InUse => "in use",
            Status::Changed => "changed",
            Status::Retired => "retired",
        }
    }
    fn from_zh(s: &str) -> Option<Status> {
        [Status::InUse, Status::Changed, Status::Retired]
            .into_iter()
            .find(|x| x.name_zh() == s)
    }
}

/// A code that took over (part of) a division's area, and the year it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Replacement {
    pub code: DivisionCode,
    pub year: u16,
}

/// One period of one code: a code that was renamed or reassigned has several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    code: DivisionCode,
    name: &'static str,
    province_name: &'static str,
    prefecture_name: Option<&'static str>,
    level: Level,
    status: Status,
    first_year: u16,
    last_year: Option<u16>,
    replaced_by: Vec<Replacement>,
    prefecture: Option<DivisionCode>,
}

impl Division {
    pub fn code(&self) -> DivisionCode {
        self.code
    }
    /// The name in this period, e.g. 株洲县.
    pub fn name(&self) -> &'static str {
        self.name
    }
    pub fn level(&self) -> Level {
        self.level
    }
    pub fn status(&self) -> Status {
        self.status
    }
    pub fn is_in_use(&self) -> bool {
        self.status == Status::InUse
    }
    /// The year the code took this meaning.
    pub fn first_year(&self) -> u16 {
        self.first_year
    }
    /// The year the code was changed or retired; `None` while in use.
    pub fn last_year(&self) -> Option<u16> {
        self.last_year
    }
    /// The codes that took over this division's area, each with the year it moved. A
    /// division in use may list codes that took parts of it earlier.
    pub fn replaced_by(&self) -> &[Replacement] {
        &self.replaced_by
    }
    /// The province this division lies in (itself for a province).
    pub fn province(&self) -> DivisionCode {
        self.code.province()
    }
    /// The province's name, e.g. 湖南省.
    pub fn province_name(&self) -> &'static str {
        self.province_name
    }
    /// The prefecture a county-level division belonged to in this period; `None` for
    /// provinces, prefectures and counties directly under their province.
    pub fn prefecture(&self) -> Option<DivisionCode> {
        self.prefecture
    }
    /// The name of that prefecture in this period, e.g. 湘潭地区 for 醴陵县 (1981–1983).
    pub fn prefecture_name(&self) -> Option<&'static str> {
        self.prefecture_name
    }
    /// The name a person recognises without the province when it is not needed:
    /// 株洲市渌口区, 北京市东城区, 湖北省仙桃市, 湖南省株洲市, 湖南省.
    pub fn place_name(&self) -> String {
        match self.level {
            Level::Province => self.name.to_owned(),
            Level::Prefecture => format!("{}{}", self.province_name, self.name),
            Level::County => {
                format!(
                    "{}{}",
                    self.prefecture_name.unwrap_or(self.province_name),
                    self.name
                )
            }
        }
    }
}

/// The record that describes `code` now: the one in use, else the most recent.
/// `None` only for "市辖区" codes, which the history does not describe.
pub fn lookup(code: DivisionCode) -> Option<&'static Division> {
    latest_in(history().records_of(code.0))
}

/// Every period of `code`, oldest first.
pub fn history_of(code: DivisionCode) -> &'static [Division] {
    history().records_of(code.0)
}

/// Every record of the history, ordered by code then by first year.
pub fn all_records() -> &'static [Division] {
    &history().records
}

/// The provinces in use, ordered by code: the first level of a division picker.
pub fn provinces() -> Vec<&'static Division> {
    let h = history();
    h.provinces.iter().map(|&i| &h.records[i]).collect()
}

/// The divisions in use directly below `code`, ordered by code: a province's
/// prefectures and the counties directly under it; a prefecture's counties. Empty for a
/// county, and for a code that is no longer in use.
pub fn children(code: DivisionCode) -> Vec<&'static Division> {
    let h = history();
    h.children
        .get(&code.0)
        .map(|ix| ix.iter().map(|&i| &h.records[i]).collect())
        .unwrap_or_default()
}

/// The codes in use today that cover the area `code` named when it was last changed or
/// retired, following renumberings to the end (株洲县 430221 → 渌口区 430212). A code in
/// use is its own successor. A division that was split has several successors; one that
/// was dissolved without a named successor (the old 地区 that became cities) has none.
/// A "市辖区" code is succeeded by its city's successors.
pub fn current_successors(code: DivisionCode) -> Vec<DivisionCode> {
    let mut found = BTreeSet::new();
    history().resolve(code.0, None, 0, &mut found);
    found.into_iter().map(DivisionCode).collect()
}

/// The single code in use today that covers `code`; `None` when there is none or when
/// the area went to several (see [`current_successors`]).
pub fn current_successor(code: DivisionCode) -> Option<DivisionCode> {
    match current_successors(code).as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

static HISTORY: LazyLock<History> = LazyLock::new(|| match parse_history(HISTORY_CSV) {
    Ok(h) => h,
    // The table is compiled in and checked by the tests; reaching this means the build
    // embedded a broken file, and no answer about divisions could be trusted.
    Err(e) => panic!("the embedded GB/T 2260 history is malformed: {e}"),
});

fn history() -> &'static History {
    &HISTORY
}

#[derive(Debug)]
pub(crate) struct History {
    /// Ordered by code, then first year.
    records: Vec<Division>,
    /// Divisions in use, by the code of their parent in use.
    children: HashMap<u32, Vec<usize>>,
    provinces: Vec<usize>,
    /// Prefecture-level codes whose name ends in 市 at some time: the cities that had a
    /// 市辖区 entry.
    cities: HashSet<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("division history, line {line}: {reason}")]
pub(crate) struct HistoryError {
    pub line: usize,
    pub reason: String,
}

impl History {
    fn records_of(&self, code: u32) -> &[Division] {
        let start = self.records.partition_point(|d| d.code.0 < code);
        let end = self.records.partition_point(|d| d.code.0 <= code);
        &self.records[start..end]
    }

    fn has_code(&self, code: u32) -> bool {
        !self.records_of(code).is_empty()
    }

    fn is_city_districts(&self, code: u32) -> bool {
        code % 100 == 1 && !self.has_code(code) && self.cities.contains(&(code - 1))
    }

    /// The record of `code` in force just after a change that happened in `year`.
    fn record_after(&self, code: u32, year: u16) -> Option<&Division> {
        let records = self.records_of(code);
        records
            .iter()
            .find(|d| d.first_year <= year && d.last_year.is_none_or(|l| l > year))
            .or_else(|| records.iter().find(|d| d.last_year == Some(year)))
            .or_else(|| latest_in(records))
    }

    fn resolve(&self, code: u32, year: Option<u16>, steps: usize, found: &mut BTreeSet<u32>) {
        if steps > MAX_SUCCESSION_STEPS {
            return;
        }
        let record = match year {
            Some(y) => self.record_after(code, y),
            None => latest_in(self.records_of(code)),
        };
        let Some(record) = record else {
            if self.is_city_districts(code) {
                self.resolve(code - 1, year, steps + 1, found);
            }
            return;
        };
        if record.is_in_use() {
            found.insert(code);
            return;
        }
        let Some(end) = record.last_year else { return };
        for r in record.replaced_by.iter().filter(|r| r.year == end) {
            self.resolve(r.code.0, Some(end), steps + 1, found);
        }
    }
}

fn latest_in(records: &[Division]) -> Option<&Division> {
    records
        .iter()
        .find(|d| d.is_in_use())
        .or_else(|| records.iter().max_by_key(|d| (d.last_year, d.first_year)))
}

/// Parses the history table: a header line, then one line per code and period with nine
/// comma-separated fields. The file may start with a byte-order mark.
pub(crate) fn parse_history(text: &'static str) -> Result<History, HistoryError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let err = |line: usize, reason: String| HistoryError { line, reason };

    let header_fields: Vec<&str> = match lines.next() {
        Some((_, l)) => l.split(',').map(str::trim).collect(),
        None => return Err(err(1, "the table is empty".into())),
    };
    if header_fields != HEADER {
        return Err(err(
            1,
            format!(
                "expected the header {}, found {:?}",
                HEADER.join(","),
                header_fields
            ),
        ));
    }

    let mut rows: Vec<(usize, Division)> = Vec::new();
    for (line, raw) in lines {
        if raw.trim().is_empty() {
            continue;
        }
        let f: Vec<&'static str> = raw.split(',').map(str::trim).collect();
        if f.len() != HEADER.len() {
            return Err(err(
                line,
                format!("expected {} fields, found {}", HEADER.len(), f.len()),
            ));
        }
        let code = six_digits(f[0]).map_err(|e| err(line, format!("代码: {e}")))?;
        let province_name =
            non_empty(f[1]).ok_or_else(|| err(line, "一级行政区 is empty".into()))?;
        let name = non_empty(f[3]).ok_or_else(|| err(line, "名称 is empty".into()))?;
        let level = Level::from_zh(f[4])
            .ok_or_else(|| err(line, format!("级别 {:?} is not 省级, 地级 or 县级", f[4])))?;
        let status = Status::from_zh(f[5])
            .ok_or_else(|| err(line, format!("状态 {:?} is not 在用, 变更 or 弃用", f[5])))?;
        let first_year =
            year(f[6]).ok_or_else(|| err(line, format!("启用时间 {:?} is not a year", f[6])))?;
        let last_year = match f[7] {
            "" => None,
            s => Some(
                year(s).ok_or_else(|| err(line, format!("变更/弃用时间 {s:?} is not a year")))?,
            ),
        };
        match (status, last_year) {
            (Status::InUse, Some(_)) => {
                return Err(err(line, "a code in use has a 变更/弃用时间".into()));
            }
            (Status::Changed | Status::Retired, None) => {
                return Err(err(
                    line,
                    "a changed or retired code has no 变更/弃用时间".into(),
                ));
            }
            (_, Some(l)) if l < first_year => {
                return Err(err(
                    line,
                    format!("变更/弃用时间 {l} is before 启用时间 {first_year}"),
                ));
            }
            _ => {}
        }
        let (prefecture_name, prefecture) = match (level, f[2]) {
            (Level::Province, "") => (None, None),
            (Level::Province, other) => {
                return Err(err(line, format!("a province has 二级行政区 {other:?}")));
            }
            (Level::Prefecture, _) => (None, None),
            (Level::County, DIRECT) => (None, None),
            (Level::County, "") => {
                return Err(err(
                    line,
                    "a county-level division has no 二级行政区".into(),
                ));
            }
            (Level::County, p) => (Some(p), Some(DivisionCode(code / 100 * 100))),
        };
        let mut replaced_by = Vec::new();
        for item in f[8].split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let (c, y) = match item.split_once('[') {
                Some((c, rest)) => {
                    let y = rest.strip_suffix(']').and_then(year).ok_or_else(|| {
                        err(line, format!("新代码 {item:?}: expected CODE[YEAR]"))
                    })?;
                    (c, y)
                }
                None => {
                    let y = last_year.ok_or_else(|| {
                        err(
                            line,
                            format!("新代码 {item:?} of a code in use needs a [YEAR]"),
                        )
                    })?;
                    (item, y)
                }
            };
            let c = six_digits(c).map_err(|e| err(line, format!("新代码 {item:?}: {e}")))?;
            replaced_by.push(Replacement {
                code: DivisionCode(c),
                year: y,
            });
        }
        rows.push((
            line,
            Division {
                code: DivisionCode(code),
                name,
                province_name,
                prefecture_name,
                level,
                status,
                first_year,
                last_year,
                replaced_by,
                prefecture,
            },
        ));
    }

    // Cross-references are checked before sorting, while line numbers are at hand.
    let codes_at = |lvl: Level| -> HashSet<u32> {
        rows.iter()
            .filter(|(_, d)| d.level == lvl)
            .map(|(_, d)| d.code.0)
            .collect()
    };
    let provinces_known = codes_at(Level::Province);
    let prefectures_known = codes_at(Level::Prefecture);
    let all_known: HashSet<u32> = rows.iter().map(|(_, d)| d.code.0).collect();
    let mut in_use_seen = HashSet::new();
    for (line, d) in &rows {
        if !provinces_known.contains(&d.code.province().0) {
            return Err(err(
                *line,
                format!(
                    "province {} of {} is not in the table",
                    d.code.province(),
                    d.code
                ),
            ));
        }
        if let Some(p) = d.prefecture
            && !prefectures_known.contains(&p.0)
        {
            return Err(err(
                *line,
                format!("prefecture {p} of {} is not in the table", d.code),
            ));
        }
        if let Some(r) = d
            .replaced_by
            .iter()
            .find(|r| !all_known.contains(&r.code.0))
        {
            return Err(err(*line, format!("新代码 {} is not in the table", r.code)));
        }
        if d.is_in_use() && !in_use_seen.insert(d.code.0) {
            return Err(err(
                *line,
                format!("code {} is in use in two records", d.code),
            ));
        }
    }

    rows.sort_by_key(|(_, d)| (d.code.0, d.first_year));
    let (lines, records): (Vec<usize>, Vec<Division>) = rows.into_iter().unzip();

    let in_use: HashSet<u32> = records
        .iter()
        .filter(|d| d.is_in_use())
        .map(|d| d.code.0)
        .collect();
    let mut children: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut provinces = Vec::new();
    for (i, d) in records.iter().enumerate().filter(|(_, d)| d.is_in_use()) {
        let parent = match d.level {
            Level::Province => {
                provinces.push(i);
                continue;
            }
            Level::Prefecture => d.code.province().0,
            Level::County => d.prefecture.unwrap_or(d.code.province()).0,
        };
        // A division in use under a parent no longer in use would be unreachable from
        // the picker; the table has none, and a future edition that did should show up.
        if !in_use.contains(&parent) {
            return Err(err(
                lines[i],
                format!("{} is in use but its parent {parent:06} is not", d.code),
            ));
        }
        children.entry(parent).or_default().push(i);
    }
    let cities = records
        .iter()
        .filter(|d| d.level == Level::Prefecture && d.name.ends_with('市'))
        .map(|d| d.code.0)
        .collect();

    Ok(History {
        records,
        children,
        provinces,
        cities,
    })
}

fn non_empty(s: &'static str) -> Option<&'static str> {
    (!s.is_empty()).then_some(s)
}

fn year(s: &str) -> Option<u16> {
    let y: u16 = s.parse().ok()?;
    (1949..=2200).contains(&y).then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        match DivisionCode::parse(s) {
            Ok(c) => c,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn the_embedded_table_loads_completely() {
        // 6,823 data lines in the shipped edition; fewer would mean lines were skipped.
        assert_eq!(all_records().len(), 6823);
        assert_eq!(provinces().len(), 34);
    }

    #[test]
    fn retired_codes_are_still_codes() {
        let c = code("430221");
        let d = lookup(c).unwrap();
        assert_eq!(d.name(), "株洲县");
        assert_eq!(d.status(), Status::Retired);
        assert_eq!(d.first_year(), 1981);
        assert_eq!(d.last_year(), Some(2018));
        assert_eq!(d.prefecture(), Some(code("430200")));
        assert_eq!(d.prefecture_name(), Some("株洲市"));
        assert_eq!(d.province(), code("430000"));
        assert_eq!(
            d.replaced_by(),
            &[
                Replacement {
                    code: code("430211"),
                    year: 1984
                },
                Replacement {
                    code: code("430211"),
                    year: 1997
                },
                Replacement {
                    code: code("430212"),
                    year: 2018
                },
            ]
        );
    }

    #[test]
    fn successors_follow_the_change_at_retirement() {
        assert_eq!(current_successor(code("430221")), Some(code("430212")));
        assert_eq!(current_successor(code("430212")), Some(code("430212")));
        // 醴陵市 430219 (1985–1986) → 439001 (1986–1990) → 430281.
        assert_eq!(current_successor(code("430219")), Some(code("430281")));
        // 东区 430202 became 荷塘区 under the same code, giving part to 石峰区.
        assert_eq!(current_successor(code("430202")), Some(code("430202")));
        // 琼山市 was split among four districts of Haikou.
        assert_eq!(current_successors(code("469004")).len(), 4);
        assert_eq!(current_successor(code("469004")), None);
        // 邯郸地区 was dissolved without a named successor.
        assert!(current_successors(code("132100")).is_empty());
    }

    #[test]
    fn every_code_resolves_to_codes_in_use() {
        for d in all_records() {
            for s in current_successors(d.code()) {
                assert!(
                    lookup(s).is_some_and(Division::is_in_use),
                    "{} → {s}",
                    d.code()
                );
            }
        }
    }

    #[test]
    fn children_walk_province_prefecture_county() {
        let hunan: Vec<_> = children(code("430000")).iter().map(|d| d.name()).collect();
        assert!(hunan.contains(&"株洲市"), "{hunan:?}");
        let zhuzhou: Vec<_> = children(code("430200"))
            .iter()
            .map(|d| d.code().to_string())
            .collect();
        assert_eq!(
            zhuzhou,
            [
                "430202", "430203", "430204", "430211", "430212", "430223", "430224", "430225",
                "430281"
            ]
        );
        assert!(children(code("430212")).is_empty());
        assert!(
            children(code("430221")).is_empty(),
            "a retired code has no children in use"
        );
        // Municipalities list their districts directly.
        assert!(
            children(code("110000"))
                .iter()
                .any(|d| d.name() == "东城区")
        );
        // Counties directly under a province appear beside its prefectures.
        assert!(
            children(code("420000"))
                .iter()
                .any(|d| d.name() == "仙桃市")
        );
    }

    #[test]
    fn every_division_in_use_is_reachable_from_the_picker() {
        let mut reached = 0;
        let mut stack: Vec<&Division> = provinces();
        while let Some(d) = stack.pop() {
            assert!(d.is_in_use());
            reached += 1;
            stack.extend(children(d.code()));
        }
        assert_eq!(
            reached,
            all_records().iter().filter(|d| d.is_in_use()).count()
        );
    }

    #[test]
    fn city_district_codes_are_accepted_but_not_described() {
        let c = code("440301");
        assert!(c.is_city_districts());
        assert!(lookup(c).is_none());
        assert_eq!(c.prefecture(), Some(code("440300")));
        assert_eq!(current_successor(c), Some(code("440300")));
        // Prefectures that were never cities had no 市辖区 entry.
        assert!(
            DivisionCode::parse("432101").is_err(),
            "湘潭地区 was not a city"
        );
        // Real codes ending in 01 are ordinary records.
        assert!(!code("110101").is_city_districts());
    }

    #[test]
    fn parse_names_the_problem() {
        assert_eq!(
            DivisionCode::parse("43022").unwrap_err().code(),
            "division_code.length"
        );
        assert_eq!(
            DivisionCode::parse("43O221").unwrap_err(),
            DivisionCodeError::Character {
                position: 3,
                found: 'O'
            }
        );
        assert_eq!(
            DivisionCode::parse("999999").unwrap_err().code(),
            "division_code.unknown"
        );
        assert_eq!(
            DivisionCode::parse(" 430202 ").unwrap().to_string(),
            "430202"
        );
        assert!(
            DivisionCode::parse("４３０２０２").is_err(),
            "full-width digits are for ID numbers, not codes"
        );
    }

    #[test]
    fn place_names_read_naturally() {
        assert_eq!(lookup(code("430212")).unwrap().place_name(), "株洲市渌口区");
        assert_eq!(lookup(code("110101")).unwrap().place_name(), "北京市东城区");
        assert_eq!(lookup(code("429004")).unwrap().place_name(), "湖北省仙桃市");
        assert_eq!(lookup(code("430200")).unwrap().place_name(), "湖南省株洲市");
        assert_eq!(
            lookup(code("432123")).unwrap().place_name(),
            "湘潭地区醴陵县"
        );
    }

    #[test]
    fn malformed_tables_fail_with_the_line() {
        let head =
            "\u{FEFF}代码,一级行政区,二级行政区,名称,级别,状态,启用时间,变更/弃用时间,新代码\n";
        let ok = "430000,湖南省,,湖南省,省级,在用,1981,,\n";
        let cases: [(&'static str, usize, &str); 6] = [
            ("430000,湖南省,,湖南省,省级,在用,1981\n", 2, "fields"),
            ("43000x,湖南省,,湖南省,省级,在用,1981,,\n", 2, "代码"),
            ("430000,湖南省,,湖南省,部级,在用,1981,,\n", 2, "级别"),
            ("430000,湖南省,,湖南省,省级,弃用,1981,,\n", 2, "no 变更"),
            (
                "430000,湖南省,,湖南省,省级,在用,1981,,\n430200,湖南省,株洲市,株洲市,地级,弃用,1981,1980,\n",
                3,
                "before",
            ),
            (
                "430000,湖南省,,湖南省,省级,在用,1981,,\n430221,湖南省,株洲市,株洲县,县级,在用,1981,,\n",
                3,
                "prefecture 430200",
            ),
        ];
        for (body, line, reason) in cases {
            let text: &'static str = format!("{head}{body}").leak();
            let e = parse_history(text).unwrap_err();
            assert_eq!(e.line, line, "{e}");
            assert!(e.reason.contains(reason), "{e}");
        }
        let text: &'static str = format!("{head}{ok}").leak();
        assert_eq!(parse_history(text).unwrap().records.len(), 1);
        assert_eq!(parse_history("code,name\n").unwrap_err().line, 1);
    }

    #[test]
    fn serde_goes_through_parse() {
        let c: DivisionCode = serde_json::from_str("\"430221\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"430221\"");
        assert!(serde_json::from_str::<DivisionCode>("\"000000\"").is_err());
    }
}
