//! STR kinship engine: profiles, allele-frequency tables, exact kinship likelihood
//! ratios, import of lab exports, and the in-memory search index.
//!
//! The model and its choices (θ, mutation, single alleles, minimum frequency,
//! conclusions, import formats) are written up in `docs/kinship.md`.
//!
//! # Public API
//!
//! ```text
//! locus      canonical_locus(&str) -> Option<&'static str>
//!            locus_key(&str) -> Result<Cow<'static, str>, LocusError>   // canonical, else UPPER-cased trimmed
//!            is_sex_marker(key) -> bool, known_loci()
//! allele     Allele (Copy, Ord; tenths: "9.3" -> 93): FromStr, Display, Serialize as "9.3"
//!            Allele::{OFF_LADDER, X, Y}, from_tenths, tenths() -> Option<u16>, code()/from_code(),
//!            is_repeat(), is_off_ladder(), steps_to(&other) -> Option<u32>, distance_tenths(&other)
//! profile    SampleCategory { ParentOfMissingChild, RescuedChild, ChildOfUnknownOrigin, StreetChild,
//!                             Relative, Reference } (serde/FromStr snake_case; is_child(), is_family())
//!            Genotype { Two(Allele, Allele) /* sorted; (a, a) = explicit homozygote */,
//!                       Single(Allele) /* one peak: homozygous by default, see LrParams */ }
//!            Genotype::new(a, b), from_alleles(&[Allele]), FromStr/Display "15,16", Serialize as text
//!            Profile { code, category, kit: Option<String>, loci: BTreeMap<String, Genotype> }
//!            Profile::new(code, category), insert(locus, genotype),
//!            Profile::parse_inline("D3S1358=15,16;vWA=14,17", code, category) -> Result<Profile, ProfileError>
//!            to_inline(), genotype(locus), sex() -> Option<Sex>
//! freq       FreqTable { name, sample_size, min_freq, min_freq_source, warnings, .. }
//!            FreqTable::load_norstr(text, name), load_csv(text, name)   -> Result<FreqTable, FreqErrors>
//!            FreqTable::load_norstr_with / load_csv_with(text, name, &FreqOptions)
//!            freq(locus, allele) -> (f64, bool /* minimum used */), lookup(locus, allele) -> FreqLookup
//!            alleles(locus) -> Iterator<(Allele, f64)> /* table values */, has_locus, loci()
//! lr         LrParams { theta, mutation_paternal, mutation_maternal, per_locus_mutation,
//!                       non_integer_factor, single_as_dropout, alleged_sex } (Default: 0, 0.002, 0.0005)
//!            Relation { Duo, Trio, Couple, FullSib, HalfSib }
//!            KinshipResult { relation, persons, cpi, probability, inconsistent_loci, shared_loci,
//!                            conclusion, advice, loci: Vec<LocusResult>, skipped, table, min_freq, params }
//!            LocusResult { locus, genotypes, index, consistent, mutation, note }
//!            duo(child, parent, t, p), trio(child, alleged, known, t, p),
//!            couple(child, mother, father, t, p), full_sib(a, b, t, p), half_sib(a, b, t, p)
//!                -> KinshipResult
//!            Kinship::{Duo, Trio, Couple, FullSib, HalfSib}; compare(Kinship, t, p) -> KinshipResult,
//!            combined(Kinship, t, p) -> Combined { cpi, inconsistent_loci, shared_loci }  // no allocation
//!            theta::sampling_probability(p, seen_same, seen_total, theta)
//! import     import(text, &ImportOptions) -> Result<Vec<Profile>, ImportErrors>   // format from header
//!            import_genemapper(..), import_long_csv(..); ImportOptions { category, kit }
//!            ImportErrors { errors: Vec<ImportError { line, reason }> }
//! conclusion Conclusion { SupportsParentage, Excluded, SupportsNonParentage, Inconclusive }
//!            conclude(relation, cpi, inconsistent_loci)
//! index      KinshipIndex::new(); add(&Profile) /* children and parents of missing children */,
//!            add_couple(code, &mother, &father) -> Result<(), IndexError>; remove(code) -> bool,
//!            contains(code), stats() -> IndexStats, profile(code), couple(code)
//!            search(&Profile, t, p, &SearchOptions { top, max_inconsistent, min_cpi }) -> Result<SearchReport, _>
//!            search_couple(code, &mother, &father, t, p, &opts) -> SearchReport; search_code(code, t, p, &opts)
//!            SearchReport { query, kind, table, params, options, scanned, survivors, parents, couples, children }
//!            Candidate { rank, code, members, relation, cpi, probability, inconsistent_loci, shared_loci,
//!                        conclusion, margin /* cpi ÷ next cpi */, result: KinshipResult }
//!            crossmatch(t, p, &CrossmatchOptions { min_cpi, max_inconsistent, threads, block_bytes })
//!                -> CrossmatchReport { pairs: Vec<CrossmatchPair>, comparisons, survivors, .. }
//!            rejection_pass(&Profile, t, p, &opts) -> (scanned, survivors); kernel::{scan, Isa, stream_sum}
//! db         ProfileDb { profiles, couples, table }: open, open_or_new, save /* atomic */,
//!            merge(profiles, couples) /* all or nothing */, build_index; parse_couples, is_couple_list
//! simulate   parse_seed_genotypes(text), simulate(&people, t, p, &SimulateOptions) -> SimulationReport,
//!            east_asia_table(), NIST_1036, CODIS_20
//! bench      measure_bandwidth(bytes, passes) -> Bandwidth, run_bench(&BenchOptions, t, p, progress) -> BenchReport
//! cli        KinshipCommand (clap: lr, import, search, crossmatch, simulate, bench);
//!            run(cmd), run_with(cmd, &mut dyn Write) -> Result<(), CliError>
//! ```
// `deny` rather than `forbid`: the search kernel (`index::kernel`) alone allows `unsafe`
// to call its AVX2/AVX-512 copies after run-time feature detection, which measured 2.7×
// faster than the baseline copy on a 1 M-profile scan.
#![deny(unsafe_code)]

pub mod allele;
pub mod bench;
pub mod cli;
pub mod conclusion;
pub mod db;
pub mod freq;
pub mod import;
pub mod index;
pub mod locus;
pub mod lr;
pub mod profile;
pub mod simulate;

pub use allele::Allele;
pub use conclusion::Conclusion;
pub use freq::{FreqOptions, FreqTable};
pub use lr::{KinshipResult, LocusResult, LrParams, Relation};
pub use profile::{Genotype, Profile, SampleCategory, Sex};
