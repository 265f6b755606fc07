//! The `kinship` command tree, nested by the `fanguai` binary as `fanguai kinship …`.
//!
//! Every command writes to the writer it is given ([`run_with`]), so tests and other
//! tools can capture the output; progress of long commands goes to standard error.
//! With `--json` a command prints exactly one JSON object.
//!
//! Frequency tables (`--freqs FILE`) are read as CSV (`locus,allele,frequency`) when
//! the first line that is not a comment has a comma, otherwise as norSTR. Commands that
//! search a database use, in order: `--freqs`, the table stored in the database by
//! `import --freqs`, or the shipped East Asian norSTR table; the output names the table.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::bench::{BenchError, BenchOptions, run_bench};
use crate::db::{self, DbError, ProfileDb, StoredTable, TableFormat};
use crate::freq::{FreqErrors, FreqTable};
use crate::import::{ImportErrors, ImportOptions, import};
use crate::index::{Candidate, CrossmatchOptions, IndexError, SearchOptions, SearchReport};
use crate::lr::{self, KinshipResult, LrParams, ParamError, Relation};
use crate::profile::{Profile, ProfileError, SampleCategory};
use crate::simulate::{self, SimulateError, SimulateOptions};

/// `fanguai kinship …`
#[derive(Debug, Clone, Subcommand)]
pub enum KinshipCommand {
    /// Likelihood ratio of one stated relationship, from inline profiles.
    Lr(LrArgs),
    /// Import lab exports (GeneMapper ID-X / GeneMarker, long CSV) and couple lists into
    /// a profile database; all files or none.
    Import(ImportArgs),
    /// Search one stored sample or couple against the database.
    Search(SearchArgs),
    /// Compare every child in the database with every parent and couple.
    Crossmatch(CrossmatchArgs),
    /// Simulate families from real genotypes and measure how often search ranks the true
    /// parent first.
    Simulate(SimulateArgs),
    /// Measure search speed against this machine's memory bandwidth.
    Bench(BenchArgs),
}

/// Model parameters shared by the commands that compute likelihood ratios.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Coancestry coefficient θ (0.01–0.03 typical).
    #[arg(long, default_value_t = 0.0)]
    pub theta: f64,
    /// Mutation rate per meiosis; sets the paternal rate, and the maternal one unless
    /// --maternal-mutation-rate is given [default: 0.002 paternal, 0.0005 maternal].
    #[arg(long)]
    pub mutation_rate: Option<f64>,
    /// Mutation rate per maternal meiosis.
    #[arg(long)]
    pub maternal_mutation_rate: Option<f64>,
    /// Read a single allele as a possible drop-out rather than a homozygote.
    #[arg(long)]
    pub single_as_dropout: bool,
}

impl ModelArgs {
    fn params(&self) -> Result<LrParams, CliError> {
        let mut p = LrParams { theta: self.theta, single_as_dropout: self.single_as_dropout, ..LrParams::default() };
        if let Some(u) = self.mutation_rate {
            p.mutation_paternal = u;
            p.mutation_maternal = u;
        }
        if let Some(u) = self.maternal_mutation_rate {
            p.mutation_maternal = u;
        }
        p.validate()?;
        Ok(p)
    }
}

#[derive(Debug, Clone, Args)]
pub struct LrArgs {
    /// Allele-frequency table (norSTR or CSV).
    #[arg(long)]
    pub freqs: PathBuf,
    /// duo, trio, couple, fullsib or halfsib.
    #[arg(long)]
    pub relation: Relation,
    /// The child, inline: "D3S1358=15,16;vWA=14,17;TH01=9.3,9.3". For fullsib/halfsib,
    /// the first person.
    #[arg(long)]
    pub child: String,
    /// The alleged parent; for a couple, the father; for fullsib/halfsib, the second
    /// person.
    #[arg(long, visible_alias = "relative")]
    pub parent: String,
    /// For trio, the known parent; for couple, the mother.
    #[arg(long)]
    pub mother: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Genotype exports or couple lists (header `couple,mother,father`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Database to add to (created if missing). Without it the files are only checked.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Category of samples whose file has no category column: parent_of_missing_child,
    /// rescued_child, child_of_unknown_origin, street_child, relative, reference.
    /// Reference samples are stored but never searched.
    #[arg(long, default_value = "reference")]
    pub category: SampleCategory,
    /// Kit of samples whose file has no kit column.
    #[arg(long)]
    pub kit: Option<String>,
    /// Store this frequency table in the database as its default.
    #[arg(long)]
    pub freqs: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SearchArgs {
    #[arg(long)]
    pub db: PathBuf,
    /// Code of a stored sample or couple.
    #[arg(long)]
    pub sample: String,
    /// Candidates per list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Most loci inconsistent with Mendelian inheritance a candidate may have.
    #[arg(long, default_value_t = 2)]
    pub max_inconsistent: u32,
    /// Frequency table; default: the database's, else the shipped East Asian table.
    #[arg(long)]
    pub freqs: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CrossmatchArgs {
    #[arg(long)]
    pub db: PathBuf,
    /// Report pairs with a combined index at least this high.
    #[arg(long, default_value_t = 10_000.0)]
    pub min_cpi: f64,
    #[arg(long, default_value_t = 2)]
    pub max_inconsistent: u32,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[arg(long)]
    pub freqs: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Frequency table the likelihood ratios and the unrelated profiles use.
    #[arg(long)]
    pub freqs: PathBuf,
    #[arg(long)]
    pub families: usize,
    #[arg(long)]
    pub unrelated: usize,
    /// Comma-separated loci [default: the 20 CODIS core loci].
    #[arg(long, value_delimiter = ',')]
    pub loci: Option<Vec<String>>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Probability that a heterozygous child locus shows one allele.
    #[arg(long, default_value_t = 0.01)]
    pub dropout: f64,
    /// Probability that a child locus is not typed.
    #[arg(long, default_value_t = 0.01)]
    pub missing: f64,
    /// Seed genotypes (`Sample,Pop,LOCUS.1,LOCUS.2,…`) [default: the shipped NIST 1036].
    #[arg(long)]
    pub genotypes: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub profiles: usize,
    #[arg(long, default_value_t = 20)]
    pub loci: usize,
    #[arg(long, default_value_t = 100)]
    pub queries: usize,
    /// Also time a crossmatch of this many children against the profiles.
    #[arg(long, default_value_t = 0)]
    pub crossmatch_children: usize,
    /// Crossmatch threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Parent KiB compared with all children before the next block [default: 512].
    #[arg(long)]
    pub block_kib: Option<usize>,
    /// Bandwidth buffer in MiB [default: 4 × L3, at least 256].
    #[arg(long)]
    pub bandwidth_mib: Option<usize>,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Frequency table profiles are drawn from [default: the shipped East Asian table].
    #[arg(long)]
    pub freqs: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Freqs { path: PathBuf, source: FreqErrors },
    #[error("{path}: {source}")]
    Import { path: PathBuf, source: ImportErrors },
    #[error("--{flag}: {source}")]
    Profile { flag: &'static str, source: ProfileError },
    #[error("{0}")]
    Param(#[from] ParamError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Db(#[from] DbError),
    #[error("{0}")]
    Index(#[from] IndexError),
    #[error("simulation: {0}")]
    Simulate(#[from] SimulateError),
    #[error("bench: {0}")]
    Bench(#[from] BenchError),
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
}

/// Runs a command, printing to standard output.
pub fn run(cmd: KinshipCommand) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_with(cmd, &mut out)
}

/// Runs a command, printing to `out`.
pub fn run_with(cmd: KinshipCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match cmd {
        KinshipCommand::Lr(a) => lr_command(a, out),
        KinshipCommand::Import(a) => import_command(a, out),
        KinshipCommand::Search(a) => search_command(a, out),
        KinshipCommand::Crossmatch(a) => crossmatch_command(a, out),
        KinshipCommand::Simulate(a) => simulate_command(a, out),
        KinshipCommand::Bench(a) => bench_command(a, out),
    }
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Read { path: path.to_owned(), source })
}

fn table_format(text: &str) -> TableFormat {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'));
    if first.is_some_and(|l| l.contains(',')) { TableFormat::Csv } else { TableFormat::Norstr }
}

/// Reads a frequency table file; its name is the file name.
pub fn load_table(path: &Path) -> Result<(FreqTable, StoredTable), CliError> {
    let text = read(path)?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let stored = StoredTable { name, format: table_format(&text), text };
    let table = stored.load().map_err(|source| CliError::Freqs { path: path.to_owned(), source })?;
    Ok((table, stored))
}

fn resolve_table(flag: Option<&Path>, db: &ProfileDb) -> Result<FreqTable, CliError> {
    if let Some(path) = flag {
        return Ok(load_table(path)?.0);
    }
    if let Some(stored) = &db.table {
        return stored.load().map_err(|e| CliError::Db(DbError::Table(e)));
    }
    Ok(simulate::east_asia_table())
}

fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> Result<(), CliError> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

fn inline(flag: &'static str, text: &str, code: &str, category: SampleCategory) -> Result<Profile, CliError> {
    Profile::parse_inline(text, code, category).map_err(|source| CliError::Profile { flag, source })
}

fn lr_command(a: LrArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (table, _) = load_table(&a.freqs)?;
    let params = a.model.params()?;
    let child_category =
        if matches!(a.relation, Relation::FullSib | Relation::HalfSib) { SampleCategory::Relative } else { SampleCategory::RescuedChild };
    let child = inline("child", &a.child, "child", child_category)?;
    let parent = inline("parent", &a.parent, "parent", SampleCategory::ParentOfMissingChild)?;
    let mother = a.mother.as_deref().map(|m| inline("mother", m, "mother", SampleCategory::ParentOfMissingChild)).transpose()?;
    let needs_mother = |what: &str| CliError::Usage(format!("--relation {} needs --mother ({what})", a.relation));
    let result = match a.relation {
        Relation::Duo => lr::duo(&child, &parent, &table, &params),
        Relation::Trio => lr::trio(&child, &parent, mother.as_ref().ok_or_else(|| needs_mother("the known parent"))?, &table, &params),
        Relation::Couple => lr::couple(&child, mother.as_ref().ok_or_else(|| needs_mother("the alleged mother"))?, &parent, &table, &params),
        Relation::FullSib => lr::full_sib(&child, &parent, &table, &params),
        Relation::HalfSib => lr::half_sib(&child, &parent, &table, &params),
    };
    if a.json { write_json(out, &result) } else { write_result(out, &result) }
}

fn write_result(out: &mut dyn Write, r: &KinshipResult) -> Result<(), CliError> {
    let p = &r.params;
    writeln!(
        out,
        "relation {}; table {} (minimum frequency {}); theta {}; mutation {}/{} (paternal/maternal){}",
        r.relation,
        r.table,
        r.min_freq,
        p.theta,
        p.mutation_paternal,
        p.mutation_maternal,
        if p.single_as_dropout { "; single alleles read as possible drop-out" } else { "" }
    )?;
    let roles: Vec<String> = r
        .loci
        .first()
        .map(|l| l.genotypes.iter().map(|g| role_name(g.role)).collect())
        .unwrap_or_default();
    write!(out, "{:<12}", "locus")?;
    for role in &roles {
        write!(out, "{role:<16}")?;
    }
    writeln!(out, "{:>12}  note", "index")?;
    for l in &r.loci {
        write!(out, "{:<12}", l.locus)?;
        for g in &l.genotypes {
            write!(out, "{:<16}", g.genotype.to_string())?;
        }
        let flag = if l.consistent { "" } else { "inconsistent; " };
        writeln!(out, "{:>12}  {flag}{}", format_number(l.index), l.note.as_deref().unwrap_or(""))?;
    }
    for s in &r.skipped {
        writeln!(out, "{:<12}skipped: {}", s.locus, serde_json::to_value(s.reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())?;
    }
    writeln!(
        out,
        "combined index {}; probability {:.6}%; inconsistent loci {}; loci compared {}",
        format_number(r.cpi),
        r.probability * 100.0,
        r.inconsistent_loci,
        r.shared_loci
    )?;
    writeln!(out, "conclusion: {}", r.conclusion)?;
    if let Some(advice) = &r.advice {
        writeln!(out, "advice: {advice}")?;
    }
    Ok(())
}

fn role_name(role: lr::Role) -> String {
    serde_json::to_value(role).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Fixed notation for ordinary sizes, scientific for very large or small ones.
fn format_number(x: f64) -> String {
    if x == 0.0 || (1e-3..1e6).contains(&x.abs()) { format!("{x:.4}") } else { format!("{x:.4e}") }
}

#[derive(Debug, serde::Serialize)]
struct ImportOutcome {
    files: usize,
    profiles: usize,
    couples: usize,
    by_category: std::collections::BTreeMap<String, usize>,
    written: Option<PathBuf>,
    summary: Option<db::MergeSummary>,
    table: Option<String>,
}

fn import_command(a: ImportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let options = ImportOptions { category: a.category, kit: a.kit.clone() };
    let mut profiles = Vec::new();
    let mut couples = Vec::new();
    for path in &a.files {
        let text = read(path)?;
        if db::is_couple_list(&text) {
            couples.extend(db::parse_couples(&text, &path.display().to_string())?);
        } else {
            profiles.extend(import(&text, &options).map_err(|source| CliError::Import { path: path.clone(), source })?);
        }
    }
    let table = a.freqs.as_deref().map(load_table).transpose()?;
    let mut by_category = std::collections::BTreeMap::new();
    for p in &profiles {
        *by_category.entry(p.category.to_string()).or_insert(0) += 1;
    }
    let mut outcome = ImportOutcome {
        files: a.files.len(),
        profiles: profiles.len(),
        couples: couples.len(),
        by_category,
        written: None,
        summary: None,
        table: table.as_ref().map(|(t, _)| t.name.clone()),
    };
    match &a.db {
        Some(path) => {
            let mut database = ProfileDb::open_or_new(path)?;
            let summary = database.merge(profiles, couples)?;
            if let Some((_, stored)) = table {
                database.table = Some(stored);
            }
            database.save(path)?;
            outcome.written = Some(path.clone());
            outcome.summary = Some(summary);
        }
        None => {
            // Couples may name parents already in a database, so only profiles are
            // checked against each other here; couples are verified when stored.
            ProfileDb::default().merge(profiles, Vec::new())?;
        }
    }
    if a.json {
        return write_json(out, &outcome);
    }
    let cats: Vec<String> = outcome.by_category.iter().map(|(c, n)| format!("{n} {c}")).collect();
    writeln!(out, "read {} file(s): {} profiles ({}), {} couples", outcome.files, outcome.profiles, cats.join(", "), outcome.couples)?;
    if let Some(t) = &outcome.table {
        writeln!(out, "frequency table {t:?} stored as the database default")?;
    }
    match (&outcome.written, &outcome.summary) {
        (Some(path), Some(summary)) => writeln!(out, "{}: {summary}", path.display())?,
        _ => writeln!(out, "checked only, nothing written (give --db FILE to store)")?,
    }
    Ok(())
}

fn search_command(a: SearchArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let database = ProfileDb::open(&a.db)?;
    let table = resolve_table(a.freqs.as_deref(), &database)?;
    let params = a.model.params()?;
    let (index, _) = database.build_index();
    let options = SearchOptions { top: a.top, max_inconsistent: a.max_inconsistent, min_cpi: 0.0 };
    let report = match index.search_code(&a.sample, &table, &params, &options) {
        Err(IndexError::UnknownCode { .. }) if database.profiles.contains_key(&a.sample) => {
            // Stored but not indexed (a relative or reference sample): say why.
            let p = &database.profiles[&a.sample];
            return Err(IndexError::NotSearchable { code: p.code.clone(), category: p.category }.into());
        }
        other => other?,
    };
    if a.json { write_json(out, &report) } else { write_search(out, &report) }
}

fn write_search(out: &mut dyn Write, r: &SearchReport) -> Result<(), CliError> {
    let kind = serde_json::to_value(r.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    writeln!(
        out,
        "query {} ({kind}); table {}; theta {}; at most {} inconsistent loci; {} records scanned, {} passed the Mendelian pass",
        r.query, r.table, r.params.theta, r.options.max_inconsistent, r.scanned, r.survivors
    )?;
    let lists: [(&str, &[Candidate]); 3] = [
        ("parents (duo evidence)", &r.parents),
        ("couples (trio evidence)", &r.couples),
        ("children", &r.children),
    ];
    for (title, list) in lists {
        let relevant = match title {
            "children" => r.kind != crate::index::QueryKind::Child,
            _ => r.kind == crate::index::QueryKind::Child,
        };
        if !relevant {
            continue;
        }
        writeln!(out, "{title}:")?;
        if list.is_empty() {
            writeln!(out, "  no candidate")?;
            continue;
        }
        writeln!(
            out,
            "  {:>4}  {:<24} {:>12} {:>12} {:>6} {:>6} {:>12}  conclusion",
            "rank", "code", "CPI", "W", "incons", "loci", "margin"
        )?;
        for c in list {
            let code = match &c.members {
                Some([m, f]) => format!("{} ({m}+{f})", c.code),
                None => c.code.clone(),
            };
            let margin = c.margin.map_or_else(|| "-".to_owned(), format_number);
            writeln!(
                out,
                "  {:>4}  {:<24} {:>12} {:>11.6}% {:>6} {:>6} {:>12}  {}",
                c.rank,
                code,
                format_number(c.cpi),
                c.probability * 100.0,
                c.inconsistent_loci,
                c.shared_loci,
                margin,
                c.conclusion
            )?;
        }
    }
    Ok(())
}

fn crossmatch_command(a: CrossmatchArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let database = ProfileDb::open(&a.db)?;
    let table = resolve_table(a.freqs.as_deref(), &database)?;
    let params = a.model.params()?;
    let (index, _) = database.build_index();
    let options = CrossmatchOptions {
        min_cpi: a.min_cpi,
        max_inconsistent: a.max_inconsistent,
        threads: a.threads,
        ..CrossmatchOptions::default()
    };
    let report = index.crossmatch(&table, &params, &options);
    if a.json {
        return write_json(out, &report);
    }
    writeln!(
        out,
        "crossmatch: {} children x ({} parents + {} couples) on {} threads; table {}; theta {}; {} pairs with CPI >= {} ({} passed the Mendelian pass)",
        report.children,
        report.parents,
        report.couples,
        report.threads,
        report.table,
        report.params.theta,
        report.pairs.len(),
        format_number(report.options.min_cpi),
        report.survivors
    )?;
    for p in &report.pairs {
        let candidate = match &p.members {
            Some([m, f]) => format!("{} ({m}+{f})", p.candidate),
            None => p.candidate.clone(),
        };
        writeln!(
            out,
            "{:<20} {:<28} {:<7} CPI {:>12}  incons {}  loci {:>2}  {}",
            p.child,
            candidate,
            p.relation,
            format_number(p.cpi),
            p.inconsistent_loci,
            p.shared_loci,
            p.conclusion
        )?;
    }
    Ok(())
}

fn simulate_command(a: SimulateArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (table, _) = load_table(&a.freqs)?;
    let params = a.model.params()?;
    let seed_text = match &a.genotypes {
        Some(p) => read(p)?,
        None => simulate::NIST_1036.to_owned(),
    };
    let people = simulate::parse_seed_genotypes(&seed_text).map_err(SimulateError::from)?;
    let mut options = SimulateOptions::new(a.families, a.unrelated);
    if let Some(loci) = a.loci {
        options.loci = loci.into_iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
    }
    options.seed = a.seed;
    options.dropout = a.dropout;
    options.missing = a.missing;
    options.mutation_paternal = params.mutation_paternal;
    options.mutation_maternal = params.mutation_maternal;
    let report = simulate::simulate(&people, &table, &params, &options)?;
    if a.json { write_json(out, &report) } else { Ok(writeln!(out, "{report}")?) }
}

fn bench_command(a: BenchArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let table = match &a.freqs {
        Some(p) => load_table(p)?.0,
        None => simulate::east_asia_table(),
    };
    let options = BenchOptions {
        profiles: a.profiles,
        loci: a.loci,
        queries: a.queries,
        seed: a.seed,
        crossmatch_children: a.crossmatch_children,
        threads: a.threads,
        block_bytes: a.block_kib.map(|k| k << 10),
        bandwidth_bytes: a.bandwidth_mib.map(|m| m << 20),
        ..BenchOptions::default()
    };
    let report = run_bench(&options, &table, &LrParams::default(), |line| eprintln!("bench: {line}"))?;
    if a.json { write_json(out, &report) } else { Ok(writeln!(out, "{report}")?) }
}
