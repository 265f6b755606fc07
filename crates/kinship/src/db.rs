//! The profile store behind `--db FILE`.
//!
//! A text file of JSON lines, so that a lab can read, diff and back it up with ordinary
//! tools: a header line naming the format and its version, then one record per line —
//! a profile, a couple (two profile codes), or the frequency table searches use by
//! default. Records are written sorted by code, so the same content always gives the
//! same file.
//!
//! Writes are atomic: the new content goes to a temporary file in the same directory,
//! is flushed to disk, and replaces the old file by `rename`, which the operating system
//! performs as one step. A failed or interrupted import leaves the previous file as it
//! was. An import of several files is checked completely before anything is written,
//! so it is all-or-nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::freq::{FreqErrors, FreqTable};
use crate::index::{IndexError, KinshipIndex};
use crate::profile::{Profile, SampleCategory};

/// Written in the header line; readers refuse other formats.
pub const FORMAT: &str = "fanguai-kinship-db";
/// Current version. Readers refuse newer versions rather than guess.
pub const VERSION: u32 = 1;

/// Two parents of a missing child registered together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoupleRecord {
    pub code: String,
    pub mother: String,
    pub father: String,
}

/// Format of a stored frequency table text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    Norstr,
    Csv,
}

/// The frequency table a database uses when a search names none: kept as the original
/// text so that the report cites exactly what was loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTable {
    pub name: String,
    pub format: TableFormat,
    pub text: String,
}

impl StoredTable {
    pub fn load(&self) -> Result<FreqTable, FreqErrors> {
        match self.format {
            TableFormat::Norstr => FreqTable::load_norstr(&self.text, &self.name),
            TableFormat::Csv => FreqTable::load_csv(&self.text, &self.name),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
}

/// One line after the header.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Profile(Profile),
    Couple(CoupleRecord),
    Table(StoredTable),
}

/// What a database file holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileDb {
    pub profiles: BTreeMap<String, Profile>,
    pub couples: BTreeMap<String, CoupleRecord>,
    pub table: Option<StoredTable>,
}

/// Why a database could not be read, changed or written.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: line {line}: {reason}")]
    Line { path: PathBuf, line: usize, reason: String },
    #[error("{path}: not a kinship database (the first line must be {{\"format\":\"{FORMAT}\",\"version\":{VERSION}}})")]
    NotADatabase { path: PathBuf },
    #[error("{path}: version {found} is newer than this program reads ({VERSION})")]
    Version { path: PathBuf, found: u32 },
    #[error("sample code {code:?} is already stored with a different profile (import refused, nothing written)")]
    Conflict { code: String },
    #[error("couple {couple:?}: {reason}")]
    Couple { couple: String, reason: String },
    #[error("frequency table: {0}")]
    Table(#[from] FreqErrors),
}

/// What a merge changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MergeSummary {
    pub profiles_added: usize,
    /// Identical records already stored.
    pub profiles_unchanged: usize,
    pub couples_added: usize,
    pub couples_unchanged: usize,
}

impl fmt::Display for MergeSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} profiles added ({} already stored), {} couples added ({} already stored)",
            self.profiles_added, self.profiles_unchanged, self.couples_added, self.couples_unchanged
        )
    }
}

impl ProfileDb {
    /// Reads a database file.
    pub fn open(path: &Path) -> Result<ProfileDb, DbError> {
        let text = fs::read_to_string(path).map_err(|source| DbError::Io { path: path.to_owned(), source })?;
        Self::parse(&text, path)
    }

    /// Reads a database file, or starts an empty one if the file does not exist.
    pub fn open_or_new(path: &Path) -> Result<ProfileDb, DbError> {
        match fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfileDb::default()),
            _ => Self::open(path),
        }
    }

    /// Parses the text of a database; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<ProfileDb, DbError> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let not_db = || DbError::NotADatabase { path: path.to_owned() };
        let (_, first) = lines.next().ok_or_else(not_db)?;
        let header: Header = serde_json::from_str(first).map_err(|_| not_db())?;
        if header.format != FORMAT {
            return Err(not_db());
        }
        if header.version > VERSION {
            return Err(DbError::Version { path: path.to_owned(), found: header.version });
        }
        let mut db = ProfileDb::default();
        for (index, text) in lines {
            let line = index + 1;
            let err = |reason: String| DbError::Line { path: path.to_owned(), line, reason };
            match serde_json::from_str::<Line>(text).map_err(|e| err(e.to_string()))? {
                Line::Profile(p) => {
                    let checked = Profile::parse_inline(&p.to_inline(), &p.code, p.category)
                        .map_err(|e| err(format!("profile {:?}: {e}", p.code)))?;
                    if checked.loci != p.loci {
                        return Err(err(format!("profile {:?}: loci are not in canonical form", p.code)));
                    }
                    if db.profiles.insert(p.code.clone(), p).is_some() {
                        return Err(err("sample code stored twice".into()));
                    }
                }
                Line::Couple(c) => {
                    if db.couples.insert(c.code.clone(), c).is_some() {
                        return Err(err("couple code stored twice".into()));
                    }
                }
                Line::Table(t) => {
                    if db.table.replace(t).is_some() {
                        return Err(err("a second frequency table".into()));
                    }
                }
            }
        }
        db.check_couples().map_err(|e| DbError::Line { path: path.to_owned(), line: 0, reason: e.to_string() })?;
        Ok(db)
    }

    /// The file's content.
    pub fn to_text(&self) -> String {
        let mut out = serde_json::to_string(&Header { format: FORMAT.into(), version: VERSION }).expect("header");
        out.push('\n');
        let mut push = |line: &Line| {
            out.push_str(&serde_json::to_string(line).expect("records serialise"));
            out.push('\n');
        };
        if let Some(t) = &self.table {
            push(&Line::Table(t.clone()));
        }
        for p in self.profiles.values() {
            push(&Line::Profile(p.clone()));
        }
        for c in self.couples.values() {
            push(&Line::Couple(c.clone()));
        }
        out
    }

    /// Writes the database atomically (temporary file, flush, rename).
    pub fn save(&self, path: &Path) -> Result<(), DbError> {
        let io = |source| DbError::Io { path: path.to_owned(), source };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "db".into());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(self.to_text().as_bytes())?;
            file.sync_all()?;
            drop(file);
            fs::rename(&tmp, path)?;
            // Make the rename itself durable.
            if let Ok(d) = fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io)
    }

    /// Adds profiles and couples; all or nothing. A record identical to a stored one is
    /// counted as unchanged; a different record under a stored code is a conflict.
    pub fn merge(&mut self, profiles: Vec<Profile>, couples: Vec<CoupleRecord>) -> Result<MergeSummary, DbError> {
        let mut next = self.clone();
        let mut summary = MergeSummary::default();
        for p in profiles {
            match next.profiles.get(&p.code) {
                Some(old) if *old == p => summary.profiles_unchanged += 1,
                Some(_) => return Err(DbError::Conflict { code: p.code }),
                None => {
                    if next.couples.contains_key(&p.code) {
                        return Err(DbError::Conflict { code: p.code });
                    }
                    next.profiles.insert(p.code.clone(), p);
                    summary.profiles_added += 1;
                }
            }
        }
        for c in couples {
            match next.couples.get(&c.code) {
                Some(old) if *old == c => summary.couples_unchanged += 1,
                Some(_) => return Err(DbError::Conflict { code: c.code }),
                None => {
                    if next.profiles.contains_key(&c.code) {
                        return Err(DbError::Conflict { code: c.code });
                    }
                    next.couples.insert(c.code.clone(), c);
                    summary.couples_added += 1;
                }
            }
        }
        next.check_couples()?;
        *self = next;
        Ok(summary)
    }

    /// Every couple names two stored parents.
    fn check_couples(&self) -> Result<(), DbError> {
        for c in self.couples.values() {
            if c.mother == c.father {
                return Err(DbError::Couple { couple: c.code.clone(), reason: "mother and father are the same sample".into() });
            }
            for (role, code) in [("mother", &c.mother), ("father", &c.father)] {
                match self.profiles.get(code) {
                    None => {
                        return Err(DbError::Couple {
                            couple: c.code.clone(),
                            reason: format!("{role} {code:?} is not a stored profile"),
                        });
                    }
                    Some(p) if p.category.is_child() => {
                        return Err(DbError::Couple {
                            couple: c.code.clone(),
                            reason: format!("{role} {code:?} is a {} sample", p.category),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(())
    }

    /// Builds the search index: children, parents of missing children and couples.
    /// Returns the codes left out (relatives, reference samples, profiles without a
    /// comparable locus) with the reason.
    pub fn build_index(&self) -> (KinshipIndex, Vec<(String, IndexError)>) {
        let index = KinshipIndex::new();
        let mut skipped = Vec::new();
        for p in self.profiles.values() {
            if let Err(e) = index.add(p) {
                skipped.push((p.code.clone(), e));
            }
        }
        for c in self.couples.values() {
            // check_couples guarantees both members exist.
            let (Some(m), Some(f)) = (self.profiles.get(&c.mother), self.profiles.get(&c.father)) else { continue };
            if let Err(e) = index.add_couple(&c.code, m, f) {
                skipped.push((c.code.clone(), e));
            }
        }
        (index, skipped)
    }

    /// Profiles by category, for summaries.
    pub fn count(&self, category: SampleCategory) -> usize {
        self.profiles.values().filter(|p| p.category == category).count()
    }
}

/// Reads a couple list: a header `couple,mother,father` (comma or tab separated, any
/// case), then one couple per line.
pub fn parse_couples(text: &str, source: &str) -> Result<Vec<CoupleRecord>, DbError> {
    let path = PathBuf::from(source);
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let split = |l: &str| -> Vec<String> {
        let sep = if l.contains('\t') { '\t' } else { ',' };
        l.split(sep).map(|f| f.trim().to_owned()).collect()
    };
    let Some((_, header)) = lines.next() else {
        return Err(DbError::Line { path, line: 1, reason: "empty couple list".into() });
    };
    let header: Vec<String> = split(header).into_iter().map(|h| h.to_ascii_lowercase()).collect();
    if header != ["couple", "mother", "father"] {
        return Err(DbError::Line { path, line: 1, reason: "the header must be couple,mother,father".into() });
    }
    let mut out = Vec::new();
    for (index, line) in lines {
        let fields = split(line);
        let [code, mother, father] = fields.as_slice() else {
            return Err(DbError::Line { path, line: index + 1, reason: format!("{} fields, expected 3", fields.len()) });
        };
        if code.is_empty() || mother.is_empty() || father.is_empty() {
            return Err(DbError::Line { path, line: index + 1, reason: "a field is empty".into() });
        }
        out.push(CoupleRecord { code: code.clone(), mother: mother.clone(), father: father.clone() });
    }
    Ok(out)
}

/// Whether a text is a couple list (by its header) rather than a genotype export.
pub fn is_couple_list(text: &str) -> bool {
    text.lines().find(|l| !l.trim().is_empty()).is_some_and(|l| {
        let l = l.trim().to_ascii_lowercase();
        l.starts_with("couple,") || l.starts_with("couple\t")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(code: &str, category: SampleCategory, loci: &str) -> Profile {
        Profile::parse_inline(loci, code, category).unwrap()
    }

    fn sample() -> ProfileDb {
        let mut db = ProfileDb::default();
        let profiles = vec![
            person("M1", SampleCategory::ParentOfMissingChild, "D3S1358=15,16;vWA=14"),
            person("F1", SampleCategory::ParentOfMissingChild, "D3S1358=17,17;vWA=18,19;AMEL=X,Y"),
            person("C1", SampleCategory::RescuedChild, "D3S1358=15,17;vWA=14,18;TH01=9.3,OL"),
        ];
        let couples = vec![CoupleRecord { code: "FM1".into(), mother: "M1".into(), father: "F1".into() }];
        db.merge(profiles, couples).unwrap();
        db
    }

    #[test]
    fn text_round_trips() {
        let mut db = sample();
        db.table = Some(StoredTable { name: "t".into(), format: TableFormat::Csv, text: "locus,allele,frequency\nvWA,14,1\n".into() });
        let text = db.to_text();
        assert!(text.starts_with(&format!("{{\"format\":\"{FORMAT}\",\"version\":{VERSION}}}\n")));
        assert_eq!(ProfileDb::parse(&text, Path::new("x")).unwrap(), db);
    }

    #[test]
    fn merge_is_all_or_nothing() {
        let mut db = sample();
        let before = db.clone();
        let clash = person("C1", SampleCategory::RescuedChild, "D3S1358=15,18");
        let fresh = person("C2", SampleCategory::StreetChild, "D3S1358=15,18");
        let err = db.merge(vec![fresh, clash], vec![]).unwrap_err();
        assert!(matches!(err, DbError::Conflict { ref code } if code == "C1"), "{err}");
        assert_eq!(db, before);
        let again = db.merge(vec![before.profiles["C1"].clone()], vec![before.couples["FM1"].clone()]).unwrap();
        assert_eq!(again, MergeSummary { profiles_unchanged: 1, couples_unchanged: 1, ..Default::default() });
        let bad = CoupleRecord { code: "FM2".into(), mother: "M1".into(), father: "C1".into() };
        assert!(matches!(db.merge(vec![], vec![bad]), Err(DbError::Couple { .. })));
        assert_eq!(db, before);
    }

    #[test]
    fn bad_files_name_line_and_reason() {
        let p = Path::new("lab.db");
        assert!(matches!(ProfileDb::parse("hello\n", p), Err(DbError::NotADatabase { .. })));
        let future = format!("{{\"format\":\"{FORMAT}\",\"version\":99}}\n");
        assert!(matches!(ProfileDb::parse(&future, p), Err(DbError::Version { found: 99, .. })));
        let text = sample().to_text() + "{\"profile\":{\"code\":\"X\"}}\n";
        let err = ProfileDb::parse(&text, p).unwrap_err().to_string();
        assert!(err.contains("line 6"), "{err}");
    }

    #[test]
    fn save_replaces_atomically_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("kinship-db-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("lab.db");
        let db = sample();
        db.save(&path).unwrap();
        assert_eq!(ProfileDb::open(&path).unwrap(), db);
        let mut more = db.clone();
        more.merge(vec![person("C9", SampleCategory::StreetChild, "vWA=11,12")], vec![]).unwrap();
        more.save(&path).unwrap();
        assert_eq!(ProfileDb::open(&path).unwrap(), more);
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        // Saving into a missing directory fails and leaves the old file alone.
        assert!(db.save(&dir.join("missing").join("lab.db")).is_err());
        assert_eq!(ProfileDb::open(&path).unwrap(), more);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn couple_lists_parse() {
        assert!(is_couple_list("\nCouple,Mother,Father\nFM1,M1,F1\n"));
        assert!(!is_couple_list("Sample Name,Marker,Allele 1\n"));
        let c = parse_couples("couple\tmother\tfather\nFM1\tM1\tF1\n", "c.tsv").unwrap();
        assert_eq!(c, vec![CoupleRecord { code: "FM1".into(), mother: "M1".into(), father: "F1".into() }]);
        let err = parse_couples("couple,mother,father\nFM1,M1\n", "c.csv").unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn index_skips_relatives_with_a_reason() {
        let mut db = sample();
        db.merge(vec![person("R1", SampleCategory::Relative, "vWA=14,15")], vec![]).unwrap();
        let (index, skipped) = db.build_index();
        assert_eq!(skipped.len(), 1);
        assert!(matches!(skipped[0].1, IndexError::NotSearchable { .. }));
        let stats = index.stats();
        assert_eq!((stats.parents, stats.children, stats.couples), (2, 1, 1));
    }
}
