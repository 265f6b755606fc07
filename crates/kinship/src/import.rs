//! Import of STR profiles from lab exports.
//!
//! Two formats, told apart by the header:
//!
//! **GeneMapper ID-X / GeneMarker export** — tab- or comma-separated (the header line
//! decides), one row per sample and marker, with at least the columns `Sample Name`,
//! `Marker` and `Allele 1` … `Allele n` (any n ≥ 1); other columns (`Dye`, `Size 1`,
//! `Height 1`, …) are ignored. Column names are matched without regard to case. Empty
//! allele cells are ignored; `OL` is kept as off-ladder (and later skipped by the
//! likelihood ratios). A row with no allele at all is a marker that did not type and is
//! left out. When a `Sample Type` column is present, allelic ladders and positive or
//! negative controls are left out.
//!
//! ```text
//! Sample Name,Marker,Allele 1,Allele 2,Allele 3,Height 1
//! GT37019,D3S1358,16,,,1034
//! GT37019,vWA,17,19,,988
//! ```
//!
//! **Long CSV** — `sample,locus,allele1,allele2`, one row per sample and locus; the
//! header line is optional. With a header, two more columns may be added in any order:
//! `category` (see [`SampleCategory`]) and `kit`. An empty `allele2` is a single peak.
//!
//! ```text
//! sample,locus,allele1,allele2,category
//! C-0001,D3S1358,15,16,rescued_child
//! C-0001,TH01,9.3,,rescued_child
//! ```
//!
//! In both formats more than two alleles for one sample at one locus is a mixture and an
//! error: the engine's likelihood ratios are for single-source profiles, and a mixture
//! must be deconvolved by the analyst first. Every bad line is reported with its number
//! and reason, and a file with any bad line imports nothing.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use crate::allele::Allele;
use crate::locus::locus_key;
use crate::profile::{Genotype, Profile, SampleCategory};

/// What the file itself does not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Category of samples whose row has no `category` column.
    pub category: SampleCategory,
    /// Kit recorded on profiles whose row has no `kit` column.
    pub kit: Option<String>,
}

impl ImportOptions {
    pub fn new(category: SampleCategory) -> ImportOptions {
        ImportOptions { category, kit: None }
    }
}

/// One bad line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ImportError {
    pub line: usize,
    pub reason: String,
}

/// Every bad line of a file, in line order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportErrors {
    pub errors: Vec<ImportError>,
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bad line(s), nothing imported", self.errors.len())?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// Imports a file in either format, recognised by its header.
pub fn import(text: &str, options: &ImportOptions) -> Result<Vec<Profile>, ImportErrors> {
    match first_line(text) {
        Some((_, header)) if is_genemapper_header(header) => import_genemapper(text, options),
        _ => import_long_csv(text, options),
    }
}

/// Imports a GeneMapper ID-X / GeneMarker export.
pub fn import_genemapper(text: &str, options: &ImportOptions) -> Result<Vec<Profile>, ImportErrors> {
    let mut b = Collector::new(options);
    let Some((header_line, header)) = first_line(text) else {
        return Err(single(1, "the file is empty"));
    };
    let delimiter = if header.contains('\t') { '\t' } else { ',' };
    let names: Vec<String> = split_fields(header, delimiter).into_iter().map(|n| n.trim().to_ascii_lowercase()).collect();
    let find = |wanted: &str| names.iter().position(|n| n == wanted);
    let (Some(sample), Some(marker)) = (find("sample name"), find("marker")) else {
        return Err(single(header_line, "header needs the columns \"Sample Name\" and \"Marker\""));
    };
    let alleles: Vec<usize> = (0..names.len())
        .filter(|&i| names[i].strip_prefix("allele ").is_some_and(|n| n.trim().parse::<u32>().is_ok()))
        .collect();
    if alleles.is_empty() {
        return Err(single(header_line, "header needs at least one \"Allele 1\" column"));
    }
    let sample_type = find("sample type");
    let category = find("category");
    let kit = find("kit");
    for (line, raw) in data_lines(text, header_line) {
        let fields = split_fields(raw, delimiter);
        if fields.len() > names.len() {
            b.error(line, format!("{} fields, but the header has {}", fields.len(), names.len()));
            continue;
        }
        let cell = |i: usize| fields.get(i).map_or("", |f| f.trim());
        if let Some(t) = sample_type {
            let t = cell(t).to_ascii_lowercase();
            if t.contains("ladder") || t.contains("control") {
                continue;
            }
        }
        let cells: Vec<&str> = alleles.iter().map(|&i| cell(i)).collect();
        b.row(line, cell(sample), cell(marker), &cells, category.map(cell), kit.map(cell));
    }
    b.finish()
}

/// Imports the long CSV `sample,locus,allele1,allele2[,category][,kit]`.
pub fn import_long_csv(text: &str, options: &ImportOptions) -> Result<Vec<Profile>, ImportErrors> {
    let mut b = Collector::new(options);
    let Some((first, header)) = first_line(text) else {
        return Err(single(1, "the file is empty"));
    };
    let names: Vec<String> = split_fields(header, ',').into_iter().map(|n| n.trim().to_ascii_lowercase()).collect();
    let has_header = names.first().is_some_and(|n| n == "sample");
    let mut columns = [0usize, 1, 2, 3];
    let (mut category, mut kit, mut width) = (None, None, 4);
    if has_header {
        width = names.len();
        for (slot, wanted) in ["sample", "locus", "allele1", "allele2"].iter().enumerate() {
            match names.iter().position(|n| n == wanted) {
                Some(i) => columns[slot] = i,
                None => return Err(single(first, format!("header has no {wanted:?} column (expected sample,locus,allele1,allele2)"))),
            }
        }
        category = names.iter().position(|n| n == "category");
        kit = names.iter().position(|n| n == "kit");
        let known = ["sample", "locus", "allele1", "allele2", "category", "kit"];
        if let Some(unknown) = names.iter().find(|n| !known.contains(&n.as_str())) {
            return Err(single(first, format!("unknown column {unknown:?} (allowed: {})", known.join(", "))));
        }
    }
    let skip_header = if has_header { first } else { 0 };
    for (line, raw) in data_lines(text, skip_header) {
        let fields = split_fields(raw, ',');
        if fields.len() != width {
            let expected = if has_header { format!("{width} fields as in the header") } else { "4 fields: sample,locus,allele1,allele2".to_owned() };
            b.error(line, format!("{} fields, expected {expected}", fields.len()));
            continue;
        }
        let cell = |i: usize| fields[i].trim();
        let cells = [cell(columns[2]), cell(columns[3])];
        b.row(line, cell(columns[0]), cell(columns[1]), &cells, category.map(cell), kit.map(cell));
    }
    b.finish()
}

fn single(line: usize, reason: impl Into<String>) -> ImportErrors {
    ImportErrors { errors: vec![ImportError { line, reason: reason.into() }] }
}

fn is_genemapper_header(header: &str) -> bool {
    let delimiter = if header.contains('\t') { '\t' } else { ',' };
    let names: Vec<String> = split_fields(header, delimiter).into_iter().map(|n| n.trim().to_ascii_lowercase()).collect();
    names.iter().any(|n| n == "sample name") && names.iter().any(|n| n == "marker")
}

/// The first line with content (1-based number and text).
fn first_line(text: &str) -> Option<(usize, &str)> {
    data_lines(text, 0).next()
}

/// Non-empty, non-comment lines after line `after`, with their 1-based numbers.
fn data_lines(text: &str, after: usize) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}').trim_end_matches('\r')))
        .filter(move |(n, l)| *n > after && !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// Splits a line on `delimiter`, honouring double quotes (`""` inside quotes is a quote).
fn split_fields(line: &str, delimiter: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => fields.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    fields.push(current);
    fields
}

/// One sample being gathered.
struct Sample {
    first_line: usize,
    category: SampleCategory,
    category_line: usize,
    kit: Option<String>,
    /// locus key → (line, genotype)
    loci: BTreeMap<String, (usize, Genotype)>,
}

struct Collector<'a> {
    options: &'a ImportOptions,
    errors: Vec<ImportError>,
    order: Vec<String>,
    samples: BTreeMap<String, Sample>,
}

impl<'a> Collector<'a> {
    fn new(options: &'a ImportOptions) -> Collector<'a> {
        Collector { options, errors: Vec::new(), order: Vec::new(), samples: BTreeMap::new() }
    }

    fn error(&mut self, line: usize, reason: impl Into<String>) {
        self.errors.push(ImportError { line, reason: reason.into() });
    }

    fn row(&mut self, line: usize, sample: &str, marker: &str, cells: &[&str], category: Option<&str>, kit: Option<&str>) {
        let mut problems = Vec::new();
        if sample.is_empty() {
            problems.push("empty sample name".to_owned());
        } else if let Err(e) = Profile::new(sample, self.options.category) {
            problems.push(e.to_string());
        }
        let locus = match locus_key(marker) {
            Ok(k) => Some(k.into_owned()),
            Err(e) => {
                problems.push(format!("marker: {e}"));
                None
            }
        };
        let mut alleles = Vec::with_capacity(2);
        for (i, cell) in cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<Allele>() {
                Ok(a) => alleles.push(a),
                Err(e) => problems.push(format!("allele {}: {e}", i + 1)),
            }
        }
        let category = match category.filter(|c| !c.is_empty()) {
            None => self.options.category,
            Some(text) => match text.parse::<SampleCategory>() {
                Ok(c) => c,
                Err(e) => {
                    problems.push(e.to_string());
                    self.options.category
                }
            },
        };
        if alleles.len() > 2 {
            let shown: Vec<String> = alleles.iter().map(Allele::to_string).collect();
            problems.push(format!(
                "{} alleles ({}) for {sample} at {marker}: a mixture, not a single-source profile",
                alleles.len(),
                shown.join(", ")
            ));
        }
        if !problems.is_empty() {
            return self.error(line, problems.join("; "));
        }
        let Some(locus) = locus else { return };
        let sample = sample.trim();
        if !self.samples.contains_key(sample) {
            self.order.push(sample.to_owned());
            self.samples.insert(
                sample.to_owned(),
                Sample {
                    first_line: line,
                    category,
                    category_line: line,
                    kit: kit.filter(|k| !k.is_empty()).map(str::to_owned).or_else(|| self.options.kit.clone()),
                    loci: BTreeMap::new(),
                },
            );
        }
        let entry = self.samples.get_mut(sample).expect("inserted above");
        if entry.category != category {
            let reason = format!(
                "sample {sample} is {category} here but {} on line {}",
                entry.category, entry.category_line
            );
            return self.error(line, reason);
        }
        let Ok(genotype) = Genotype::from_alleles(&alleles) else {
            // No allele: the marker did not type for this sample.
            return;
        };
        match entry.loci.entry(locus) {
            Entry::Occupied(o) => {
                let reason = format!("sample {sample} has {} twice (first on line {})", o.key(), o.get().0);
                self.error(line, reason);
            }
            Entry::Vacant(v) => {
                v.insert((line, genotype));
            }
        }
    }

    fn finish(mut self) -> Result<Vec<Profile>, ImportErrors> {
        let mut profiles = Vec::with_capacity(self.order.len());
        for code in std::mem::take(&mut self.order) {
            let sample = self.samples.remove(&code).expect("every ordered code was inserted");
            if sample.loci.is_empty() {
                self.error(sample.first_line, format!("sample {code} has no typed locus"));
                continue;
            }
            let mut profile = match Profile::new(&code, sample.category) {
                Ok(p) => p,
                Err(e) => {
                    self.error(sample.first_line, e.to_string());
                    continue;
                }
            };
            profile.kit = sample.kit;
            profile.loci = sample.loci.into_iter().map(|(locus, (_, g))| (locus, g)).collect();
            profiles.push(profile);
        }
        if self.errors.is_empty() {
            Ok(profiles)
        } else {
            self.errors.sort_by_key(|e| e.line);
            Err(ImportErrors { errors: self.errors })
        }
    }
}
