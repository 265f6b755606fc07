//! Allele-frequency tables.
//!
//! Two text formats are read:
//! - **norSTR**: a line with the marker name, then one `allele<TAB>frequency` line per
//!   allele; blank lines between markers are optional. Lines starting with `#` are
//!   comments.
//! - **CSV**: `locus,allele,frequency`, one allele per line, with an optional header line
//!   naming those columns. Rows of one locus need not be adjacent.
//!
//! Every problem is reported with its line number, all of them at once. A table with an
//! error is not built.
//!
//! **Minimum allele frequency.** With the sample size N of the population study given,
//! the minimum is 5/2N (NRC II). Otherwise it is the configured floor, or failing that
//! the smallest frequency in the table. Every allele frequency used in a likelihood
//! ratio is at least the minimum: alleles absent from the table get the minimum, and
//! rarer ones are raised to it; [`FreqTable::lookup`] says which happened so reports can.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::allele::Allele;
use crate::locus::locus_key;

/// How the table is read and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreqOptions {
    /// Number of people in the population study; sets the minimum to 5/2N.
    pub sample_size: Option<u32>,
    /// The minimum frequency when no sample size is given.
    pub floor: Option<f64>,
    /// A locus whose frequencies sum further than this from 1 is recorded as a warning.
    pub sum_warning: f64,
    /// A locus whose frequencies sum further than this from 1 makes the table invalid.
    pub sum_error: f64,
}

impl Default for FreqOptions {
    fn default() -> Self {
        FreqOptions { sample_size: None, floor: None, sum_warning: 0.005, sum_error: 0.05 }
    }
}

/// Where the minimum allele frequency came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MinFreqSource {
    /// 5/2N from the study's sample size.
    SampleSize { n: u32 },
    /// A floor given by the user.
    Configured,
    /// The smallest frequency in the table.
    TableSmallest,
}

/// What the table says about one allele, as used in a likelihood ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FreqLookup {
    /// The frequency used (never below the minimum).
    pub value: f64,
    pub source: FreqSource,
}

/// Whether a frequency is the table's own value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FreqSource {
    Table,
    /// The table's value was below the minimum.
    RaisedToMinimum { table_value: f64 },
    /// The allele (or the whole locus) is not in the table.
    Absent,
}

/// A warning that does not stop the table from being used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreqWarning {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for FreqWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// One problem in a frequency file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct FreqError {
    pub line: usize,
    pub reason: String,
}

/// Every problem found in a frequency file, in line order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FreqErrors {
    pub table: String,
    pub errors: Vec<FreqError>,
}

impl fmt::Display for FreqErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "frequency table {:?}: {} error(s)", self.table, self.errors.len())?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// The alleles of one locus, sorted, with the line each came from.
#[derive(Debug, Clone, PartialEq)]
struct LocusFreqs {
    alleles: Vec<(Allele, f64)>,
}

/// An allele-frequency table, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct FreqTable {
    /// The name reports cite (e.g. the file name or publication).
    pub name: String,
    pub sample_size: Option<u32>,
    /// The minimum allele frequency applied.
    pub min_freq: f64,
    pub min_freq_source: MinFreqSource,
    pub warnings: Vec<FreqWarning>,
    loci: BTreeMap<String, LocusFreqs>,
}

/// A locus's first line and its rows (allele, frequency, line).
type LocusRows = (usize, Vec<(Allele, f64, usize)>);

/// Rows gathered while reading, before validation of the whole.
struct Builder {
    name: String,
    errors: Vec<FreqError>,
    /// locus → (line of first mention, alleles with their lines)
    loci: BTreeMap<String, LocusRows>,
}

impl Builder {
    fn new(name: &str) -> Builder {
        Builder { name: name.to_owned(), errors: Vec::new(), loci: BTreeMap::new() }
    }

    fn error(&mut self, line: usize, reason: impl Into<String>) {
        self.errors.push(FreqError { line, reason: reason.into() });
    }

    /// Parses one allele/frequency pair; problems are recorded, not returned.
    fn row(&mut self, line: usize, locus: &str, allele: &str, freq: &str) {
        let allele = match allele.trim().parse::<Allele>() {
            Ok(a) if a.is_repeat() => a,
            Ok(a) => return self.error(line, format!("allele {a} has no frequency: only repeat numbers belong in a table")),
            Err(e) => return self.error(line, e.to_string()),
        };
        let freq_text = freq.trim();
        let value = match freq_text.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => return self.error(line, format!("frequency {freq_text:?} is not a number")),
        };
        if value <= 0.0 {
            return self.error(line, format!("frequency {freq_text} of allele {allele} must be greater than 0"));
        }
        if value > 1.0 {
            return self.error(line, format!("frequency {freq_text} of allele {allele} is greater than 1"));
        }
        let entry = self.loci.entry(locus.to_owned()).or_insert_with(|| (line, Vec::new()));
        if let Some(&(_, _, first)) = entry.1.iter().find(|(a, _, _)| *a == allele) {
            let reason = format!("allele {allele} of {locus} is listed twice (first on line {first})");
            return self.error(line, reason);
        }
        entry.1.push((allele, value, line));
    }

    /// Registers a locus at its header line, so per-locus errors point there.
    fn declare(&mut self, line: usize, locus: &str) {
        self.loci.entry(locus.to_owned()).or_insert_with(|| (line, Vec::new()));
    }

    fn locus(&mut self, line: usize, name: &str) -> Option<String> {
        match locus_key(name) {
            Ok(key) => Some(key.into_owned()),
            Err(e) => {
                self.error(line, e.to_string());
                None
            }
        }
    }

    fn finish(mut self, options: &FreqOptions) -> Result<FreqTable, FreqErrors> {
        let mut warnings = Vec::new();
        let mut loci = BTreeMap::new();
        let mut smallest = f64::INFINITY;
        let taken = std::mem::take(&mut self.loci);
        for (locus, (line, mut alleles)) in taken {
            if alleles.is_empty() {
                // Already reported: a marker without rows, or rows that were all refused.
                continue;
            }
            let sum: f64 = alleles.iter().map(|(_, f, _)| f).sum();
            let off = (sum - 1.0).abs();
            if off > options.sum_error {
                self.error(line, format!("frequencies of {locus} sum to {sum:.4}, more than {} from 1", options.sum_error));
            } else if off > options.sum_warning {
                warnings.push(FreqWarning { line, message: format!("frequencies of {locus} sum to {sum:.4}") });
            }
            alleles.sort_by_key(|(a, _, _)| *a);
            for (_, f, _) in &alleles {
                smallest = smallest.min(*f);
            }
            loci.insert(locus, LocusFreqs { alleles: alleles.into_iter().map(|(a, f, _)| (a, f)).collect() });
        }
        if loci.is_empty() && self.errors.is_empty() {
            self.error(0, "no loci in the table");
        }
        let (min_freq, min_freq_source) = match (options.sample_size, options.floor) {
            (Some(0), _) => {
                self.error(0, "sample size must be at least 1");
                (0.0, MinFreqSource::Configured)
            }
            (Some(n), _) => (5.0 / (2.0 * f64::from(n)), MinFreqSource::SampleSize { n }),
            (None, Some(floor)) => {
                if !(floor > 0.0 && floor < 1.0) {
                    self.error(0, format!("minimum frequency {floor} must lie between 0 and 1"));
                }
                (floor, MinFreqSource::Configured)
            }
            (None, None) => (smallest, MinFreqSource::TableSmallest),
        };
        if !self.errors.is_empty() {
            self.errors.sort_by_key(|e| e.line);
            return Err(FreqErrors { table: self.name, errors: self.errors });
        }
        Ok(FreqTable { name: self.name, sample_size: options.sample_size, min_freq, min_freq_source, warnings, loci })
    }
}

impl FreqTable {
    /// Reads a norSTR file with default options.
    pub fn load_norstr(text: &str, name: &str) -> Result<FreqTable, FreqErrors> {
        Self::load_norstr_with(text, name, &FreqOptions::default())
    }

    /// Reads a norSTR file: a marker line, then `allele<TAB>frequency` lines.
    pub fn load_norstr_with(text: &str, name: &str, options: &FreqOptions) -> Result<FreqTable, FreqErrors> {
        let mut b = Builder::new(name);
        let mut current: Option<(String, usize, usize)> = None; // (locus, header line, rows)
        let mut seen_markers: BTreeMap<String, usize> = BTreeMap::new();
        let close = |b: &mut Builder, current: &mut Option<(String, usize, usize)>| {
            if let Some((locus, line, rows)) = current.take() {
                if rows == 0 {
                    b.error(line, format!("marker {locus} has no alleles"));
                }
            }
        };
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim().trim_start_matches('\u{feff}');
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let is_row = trimmed.contains('\t') || trimmed.starts_with(|c: char| c.is_ascii_digit());
            if !is_row {
                close(&mut b, &mut current);
                if let Some(locus) = b.locus(line, trimmed) {
                    if let Some(first) = seen_markers.insert(locus.clone(), line) {
                        b.error(line, format!("marker {locus} appears twice (first on line {first})"));
                    }
                    b.declare(line, &locus);
                    current = Some((locus, line, 0));
                }
                continue;
            }
            let fields: Vec<&str> = if trimmed.contains('\t') {
                trimmed.split('\t').map(str::trim).filter(|f| !f.is_empty()).collect()
            } else {
                trimmed.split_whitespace().collect()
            };
            let Some((locus, _, rows)) = current.as_mut() else {
                b.error(line, "allele line before any marker name");
                continue;
            };
            *rows += 1;
            let locus = locus.clone();
            match fields.as_slice() {
                [allele, freq] => b.row(line, &locus, allele, freq),
                _ => b.error(line, format!("expected allele<TAB>frequency, found {} fields", fields.len())),
            }
        }
        close(&mut b, &mut current);
        b.finish(options)
    }

    /// Reads a CSV file `locus,allele,frequency` with default options.
    pub fn load_csv(text: &str, name: &str) -> Result<FreqTable, FreqErrors> {
        Self::load_csv_with(text, name, &FreqOptions::default())
    }

    /// Reads a CSV file `locus,allele,frequency`; the header line is optional.
    pub fn load_csv_with(text: &str, name: &str, options: &FreqOptions) -> Result<FreqTable, FreqErrors> {
        let mut b = Builder::new(name);
        let mut first_row = true;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim().trim_start_matches('\u{feff}');
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = trimmed.split(',').map(|f| f.trim().trim_matches('"').trim()).collect();
            let header = std::mem::replace(&mut first_row, false);
            if fields.len() != 3 {
                b.error(line, format!("expected locus,allele,frequency, found {} fields", fields.len()));
                continue;
            }
            if header && fields[2].parse::<f64>().is_err() {
                let names: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
                let ok = matches!(names[0].as_str(), "locus" | "marker")
                    && names[1] == "allele"
                    && matches!(names[2].as_str(), "frequency" | "freq");
                if !ok {
                    b.error(line, "header must be locus,allele,frequency");
                }
                continue;
            }
            if let Some(locus) = b.locus(line, fields[0]) {
                b.row(line, &locus, fields[1], fields[2]);
            }
        }
        b.finish(options)
    }

    /// The frequency used for an allele, and `true` when the minimum was used instead of
    /// the table's value (absent allele, absent locus, or a value below the minimum).
    pub fn freq(&self, locus: &str, allele: Allele) -> (f64, bool) {
        let l = self.lookup(locus, allele);
        (l.value, !matches!(l.source, FreqSource::Table))
    }

    /// The frequency used for an allele and where it came from.
    pub fn lookup(&self, locus: &str, allele: Allele) -> FreqLookup {
        self.lookup_in(self.loci.get(locus), allele)
    }

    /// The alleles of one locus, found once for several look-ups.
    pub(crate) fn locus_alleles(&self, locus: &str) -> Option<&[(Allele, f64)]> {
        self.loci.get(locus).map(|l| l.alleles.as_slice())
    }

    /// [`FreqTable::lookup`] within a locus found by [`FreqTable::locus_alleles`].
    pub(crate) fn lookup_in_slice(&self, alleles: Option<&[(Allele, f64)]>, allele: Allele) -> FreqLookup {
        let found = alleles.and_then(|l| l.binary_search_by_key(&allele, |(a, _)| *a).ok().map(|i| l[i].1));
        self.classify(found)
    }

    fn lookup_in(&self, locus: Option<&LocusFreqs>, allele: Allele) -> FreqLookup {
        self.lookup_in_slice(locus.map(|l| l.alleles.as_slice()), allele)
    }

    fn classify(&self, found: Option<f64>) -> FreqLookup {
        match found {
            Some(v) if v >= self.min_freq => FreqLookup { value: v, source: FreqSource::Table },
            Some(v) => FreqLookup { value: self.min_freq, source: FreqSource::RaisedToMinimum { table_value: v } },
            None => FreqLookup { value: self.min_freq, source: FreqSource::Absent },
        }
    }

    /// The table's own values for a locus (not raised to the minimum), sorted by allele;
    /// empty when the locus is not in the table.
    pub fn alleles(&self, locus: &str) -> impl Iterator<Item = (Allele, f64)> + '_ {
        self.loci.get(locus).into_iter().flat_map(|l| l.alleles.iter().copied())
    }

    pub fn has_locus(&self, locus: &str) -> bool {
        self.loci.contains_key(locus)
    }

    /// Locus keys in the table, sorted.
    pub fn loci(&self) -> impl Iterator<Item = &str> {
        self.loci.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Allele {
        s.parse().unwrap()
    }

    const NORSTR: &str = "D3S1358\n14\t0.25\n15\t0.5\n15.2\t0.25\n\nvWA\n14\t0.4\n17\t0.6\n";

    #[test]
    fn reads_norstr() {
        let t = FreqTable::load_norstr(NORSTR, "tiny").unwrap();
        assert_eq!(t.loci().collect::<Vec<_>>(), ["D3S1358", "vWA"]);
        assert_eq!(t.freq("D3S1358", a("15.2")), (0.25, false));
        assert_eq!(t.min_freq, 0.25);
        assert_eq!(t.min_freq_source, MinFreqSource::TableSmallest);
        assert_eq!(t.freq("vWA", a("20")), (0.25, true));
        assert_eq!(t.lookup("vWA", a("20")).source, FreqSource::Absent);
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn sample_size_sets_the_minimum() {
        // 5 / (2 * 5) = 0.5
        let options = FreqOptions { sample_size: Some(5), ..FreqOptions::default() };
        let t = FreqTable::load_norstr_with(NORSTR, "tiny", &options).unwrap();
        assert_eq!(t.min_freq, 0.5);
        assert_eq!(t.min_freq_source, MinFreqSource::SampleSize { n: 5 });
        let l = t.lookup("D3S1358", a("14"));
        assert_eq!(l.value, 0.5);
        assert_eq!(l.source, FreqSource::RaisedToMinimum { table_value: 0.25 });
    }

    #[test]
    fn reads_csv_with_and_without_header() {
        let with = "locus,allele,frequency\nvWA,14,0.4\nTH01,9.3,1\nvWA,17,0.6\n";
        let without = "vWA,14,0.4\nTH01,9.3,1\nvWA,17,0.6\n";
        let a1 = FreqTable::load_csv(with, "t").unwrap();
        let a2 = FreqTable::load_csv(without, "t").unwrap();
        assert_eq!(a1, a2);
        assert_eq!(a1.alleles("vWA").collect::<Vec<_>>(), [(a("14"), 0.4), (a("17"), 0.6)]);
    }

    #[test]
    fn reports_every_bad_line() {
        let text = "vWA\n14\t0.4\n14\t0.1\n15\t-0.2\n16\tabc\n17\t0\n1x\t0.3\nTH01\nFGA\n20\t1.5\n21 0.5 9\nvWA\n";
        let errs = FreqTable::load_norstr(text, "bad").unwrap_err();
        let lines: Vec<usize> = errs.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 12], "{errs}");
        let text = errs.to_string();
        assert!(text.contains("line 3: allele 14 of vWA is listed twice (first on line 2)"), "{text}");
        assert!(text.contains("line 8: marker TH01 has no alleles"), "{text}");
        assert!(text.contains("sum to"), "{text}");
    }

    #[test]
    fn sums_warn_then_fail() {
        let t = FreqTable::load_csv("vWA,14,0.4\nvWA,17,0.59\n", "t").unwrap();
        assert_eq!(t.warnings.len(), 1);
        assert_eq!(t.warnings[0].line, 1);
        let e = FreqTable::load_csv("vWA,14,0.4\nvWA,17,0.5\n", "t").unwrap_err();
        assert_eq!(e.errors[0].line, 1);
    }

    #[test]
    fn csv_errors() {
        let e = FreqTable::load_csv("loc,allele,frequency\nvWA,14\nvWA,OL,0.5\n", "t").unwrap_err();
        let lines: Vec<usize> = e.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 3]);
        assert!(FreqTable::load_csv("", "t").is_err());
    }

    #[test]
    fn reads_the_east_asian_table() {
        let text = include_str!("../../../data/str/east-asia-norstr-2023.txt");
        let t = FreqTable::load_norstr(text, "east-asia").unwrap();
        assert_eq!(t.loci().count(), 40);
        assert!(t.has_locus("Penta D") && t.has_locus("vWA") && t.has_locus("TH01"));
        assert_eq!(t.freq("TPOX", a("8")), (0.529882, false));
        assert_eq!(t.min_freq, 0.001);
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    }
}
