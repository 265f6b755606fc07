//! The `bench` command: search speed against this machine's memory bandwidth.
//!
//! A search cannot be faster than reading its index once, so its speed is reported as a
//! ratio to that floor, measured in the same run: one core sums a buffer of at least four
//! times the last-level cache (so that it comes from memory, not cache), best of several
//! passes, with the same instruction set the scan uses. `bandwidth_ratio` is the time of
//! one search divided by the time that core needs to stream the index's bytes at that
//! rate. An index smaller than the cache can beat the floor (ratio below 1), which is why
//! the time to stream the same bytes warm is printed as well.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::freq::FreqTable;
use crate::index::kernel::{self, Isa};
use crate::index::{CrossmatchOptions, IndexError, KinshipIndex, SearchOptions};
use crate::lr::LrParams;
use crate::profile::{Genotype, Profile, SampleCategory};
use crate::simulate::{CODIS_20, Sampler, SimulateError};

/// One streaming-bandwidth measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bandwidth {
    pub buffer_bytes: usize,
    pub passes: u32,
    pub best_seconds: f64,
    pub bytes_per_second: f64,
}

impl Bandwidth {
    /// Seconds to stream `bytes` at this rate.
    pub fn seconds_for(&self, bytes: usize) -> f64 {
        bytes as f64 / self.bytes_per_second
    }
}

/// Size of the last-level (L3) cache of CPU 0, from sysfs; `None` where unknown.
pub fn l3_cache_bytes() -> Option<usize> {
    for index in 0..8 {
        let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{index}");
        let Ok(level) = std::fs::read_to_string(format!("{dir}/level")) else { continue };
        if level.trim() != "3" {
            continue;
        }
        let size = std::fs::read_to_string(format!("{dir}/size")).ok()?;
        return parse_cache_size(size.trim());
    }
    None
}

/// `307200K`, `32M`, `1024` (bytes).
fn parse_cache_size(text: &str) -> Option<usize> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let n: usize = digits.parse().ok()?;
    match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => Some(n),
        "K" | "KB" | "KIB" => Some(n << 10),
        "M" | "MB" | "MIB" => Some(n << 20),
        "G" | "GB" | "GIB" => Some(n << 30),
        _ => None,
    }
}

/// Four times the L3 cache, and at least 256 MiB when the cache size is unknown or small.
pub fn default_bandwidth_buffer() -> usize {
    (l3_cache_bytes().unwrap_or(0) * 4).max(256 << 20)
}

/// Measures one core's streaming read bandwidth: the best of `passes` sums of a buffer
/// of `bytes` bytes.
pub fn measure_bandwidth(bytes: usize, passes: u32) -> Bandwidth {
    let words = (bytes / 8).max(1024);
    // Distinct values so that no page is shared or compressible.
    let buffer: Vec<u64> = (0..words as u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
    stream_best(&buffer, passes)
}

fn stream_best(buffer: &[u64], passes: u32) -> Bandwidth {
    let mut best = f64::INFINITY;
    let mut sink = 0u64;
    for _ in 0..passes.max(1) {
        let t = Instant::now();
        sink ^= kernel::stream_sum(std::hint::black_box(buffer));
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(sink);
    let bytes = std::mem::size_of_val(buffer);
    Bandwidth { buffer_bytes: bytes, passes: passes.max(1), best_seconds: best, bytes_per_second: bytes as f64 / best }
}

/// What to measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchOptions {
    pub profiles: usize,
    pub loci: usize,
    pub queries: usize,
    pub seed: u64,
    /// Children for a crossmatch against all profiles (0 = no crossmatch).
    pub crossmatch_children: usize,
    /// Crossmatch threads (0 = one per core).
    pub threads: usize,
    /// Parent bytes per crossmatch cache block; default [`CrossmatchOptions`]'s.
    pub block_bytes: Option<usize>,
    /// Bandwidth buffer size; default [`default_bandwidth_buffer`].
    pub bandwidth_bytes: Option<usize>,
    pub bandwidth_passes: u32,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            profiles: 1_000_000,
            loci: 20,
            queries: 100,
            seed: 7,
            crossmatch_children: 0,
            threads: 0,
            block_bytes: None,
            bandwidth_bytes: None,
            bandwidth_passes: 10,
        }
    }
}

/// Why a benchmark could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BenchError {
    #[error("--loci {asked}: the table {table:?} has {available} loci")]
    TooManyLoci { asked: usize, available: usize, table: String },
    #[error("{field} must be at least 1")]
    Zero { field: &'static str },
    #[error("{0}")]
    Simulate(#[from] SimulateError),
    #[error("index: {0}")]
    Index(#[from] IndexError),
}

/// Figures of one crossmatch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossmatchBench {
    pub children: usize,
    pub parents: usize,
    pub threads: usize,
    /// Rejection pass with the exact combined index of every survivor.
    pub pass_seconds: f64,
    /// Full computation of the reported pairs.
    pub report_seconds: f64,
    pub total_seconds: f64,
    pub comparisons_per_second: f64,
    pub survivors: u64,
    pub pairs: usize,
    pub min_cpi: f64,
    pub block_bytes: usize,
}

/// Everything `bench` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    pub cpu: String,
    pub cores: usize,
    pub isa: &'static str,
    pub table: String,
    pub profiles: usize,
    pub loci: usize,
    pub queries: usize,
    pub build_seconds: f64,
    /// Bytes the rejection pass reads per profile (allele codes, block padding shared).
    pub bytes_per_profile: f64,
    pub index_bytes: usize,
    pub bandwidth: Bandwidth,
    /// Time to stream the index's bytes once at the measured memory bandwidth.
    pub stream_index_ms: f64,
    /// Time to stream as many bytes, already in cache, with the same loop.
    pub stream_index_warm_ms: f64,
    /// Rejection pass alone, per query.
    pub rejection_ms_per_query: f64,
    /// Whole search (pass + exact ratios of survivors + ranking), per query.
    pub search_ms_per_query: f64,
    pub profiles_per_second_per_core: f64,
    pub survivors_per_query: f64,
    /// Planted true parents ranked first.
    pub true_parent_first: usize,
    /// Search time ÷ time to stream the index once from memory.
    pub bandwidth_ratio: f64,
    /// Rejection pass time ÷ the same.
    pub rejection_bandwidth_ratio: f64,
    /// Search time ÷ time to stream the index's bytes warm.
    pub warm_ratio: f64,
    pub crossmatch: Option<CrossmatchBench>,
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

/// A child of `parent`: one allele from the parent, one from the table.
fn child_of(parent: &Profile, sampler: &Sampler, loci: &[String], code: String, rng: &mut StdRng) -> Profile {
    let mut child = Profile { code, category: SampleCategory::RescuedChild, kit: None, loci: BTreeMap::new() };
    for (l, locus) in loci.iter().enumerate() {
        let (a, b) = parent.loci[locus].alleles();
        let from_parent = match b {
            Some(b) if rng.r#gen::<bool>() => b,
            _ => a,
        };
        child.loci.insert(locus.clone(), Genotype::new(from_parent, sampler.draw(l, rng)));
    }
    child
}

/// Builds the synthetic index and measures it. `progress` receives a line per phase.
pub fn run_bench(
    options: &BenchOptions,
    table: &FreqTable,
    params: &LrParams,
    mut progress: impl FnMut(&str),
) -> Result<BenchReport, BenchError> {
    if options.profiles == 0 {
        return Err(BenchError::Zero { field: "--profiles" });
    }
    if options.queries == 0 {
        return Err(BenchError::Zero { field: "--queries" });
    }
    let table_loci: Vec<String> = table.loci().map(str::to_owned).collect();
    let mut loci: Vec<String> = CODIS_20.iter().map(|l| (*l).to_owned()).filter(|l| table.has_locus(l)).collect();
    loci.extend(table_loci.iter().filter(|l| !loci.contains(l)).cloned().collect::<Vec<_>>());
    if options.loci > loci.len() || options.loci == 0 {
        return Err(BenchError::TooManyLoci { asked: options.loci, available: loci.len(), table: table.name.clone() });
    }
    loci.truncate(options.loci);

    let bandwidth_bytes = options.bandwidth_bytes.unwrap_or_else(default_bandwidth_buffer);
    progress(&format!("measuring bandwidth over {} MiB …", bandwidth_bytes >> 20));
    let bandwidth = measure_bandwidth(bandwidth_bytes, options.bandwidth_passes);

    progress(&format!("building {} profiles of {} loci …", options.profiles, loci.len()));
    let sampler = Sampler::new(table, &loci)?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let planted: std::collections::BTreeSet<usize> =
        (0..options.queries).map(|_| rng.gen_range(0..options.profiles)).collect();
    let mut parents = Vec::new();
    let index = KinshipIndex::new();
    let started = Instant::now();
    for i in 0..options.profiles {
        let p = sampler.profile(&loci, format!("P{i:08}"), &mut rng);
        index.add(&p)?;
        if planted.contains(&i) {
            parents.push(p);
        }
    }
    let build_seconds = started.elapsed().as_secs_f64();
    let queries: Vec<(Profile, String)> = (0..options.queries)
        .map(|q| {
            let parent = &parents[q % parents.len()];
            (child_of(parent, &sampler, &loci, format!("Q{q:06}"), &mut rng), parent.code.clone())
        })
        .collect();
    let stats = index.stats();
    let search = SearchOptions::default();

    progress(&format!("{} queries …", options.queries));
    // Warm the index into whatever cache it fits, as a server that answers queries would.
    index.rejection_pass(&queries[0].0, table, params, &search)?;
    let started = Instant::now();
    let mut survivors = 0;
    for (q, _) in &queries {
        survivors += index.rejection_pass(q, table, params, &search)?.1;
    }
    let rejection = started.elapsed().as_secs_f64() / queries.len() as f64;
    let started = Instant::now();
    let mut first = 0;
    for (q, parent) in &queries {
        let report = index.search(q, table, params, &search)?;
        first += usize::from(report.parents.first().is_some_and(|c| &c.code == parent));
    }
    let search_time = started.elapsed().as_secs_f64() / queries.len() as f64;

    let warm_words = vec![1u64; stats.code_bytes.div_ceil(8).max(1)];
    let warm = stream_best(&warm_words, 5);
    drop(warm_words);
    let stream = bandwidth.seconds_for(stats.code_bytes);

    let crossmatch = if options.crossmatch_children > 0 {
        progress(&format!("crossmatch: adding {} children …", options.crossmatch_children));
        for c in 0..options.crossmatch_children {
            let child = if c < parents.len() {
                child_of(&parents[c], &sampler, &loci, format!("X{c:07}"), &mut rng)
            } else {
                let mut p = sampler.profile(&loci, format!("X{c:07}"), &mut rng);
                p.category = SampleCategory::StreetChild;
                p
            };
            index.add(&child)?;
        }
        progress("crossmatch: running …");
        let defaults = CrossmatchOptions::default();
        let opts = CrossmatchOptions {
            threads: options.threads,
            block_bytes: options.block_bytes.unwrap_or(defaults.block_bytes),
            ..defaults
        };
        let started = Instant::now();
        let r = index.crossmatch(table, params, &opts);
        let total = started.elapsed().as_secs_f64();
        Some(CrossmatchBench {
            children: r.children,
            parents: r.parents,
            threads: r.threads,
            pass_seconds: r.pass_seconds,
            report_seconds: r.report_seconds,
            total_seconds: total,
            comparisons_per_second: r.comparisons as f64 / total,
            survivors: r.survivors,
            pairs: r.pairs.len(),
            min_cpi: opts.min_cpi,
            block_bytes: opts.block_bytes,
        })
    } else {
        None
    };

    Ok(BenchReport {
        cpu: cpu_model(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        isa: Isa::detect().name(),
        table: table.name.clone(),
        profiles: options.profiles,
        loci: loci.len(),
        queries: queries.len(),
        build_seconds,
        bytes_per_profile: stats.code_bytes as f64 / stats.parents as f64,
        index_bytes: stats.code_bytes,
        bandwidth,
        stream_index_ms: stream * 1e3,
        stream_index_warm_ms: warm.best_seconds * 1e3,
        rejection_ms_per_query: rejection * 1e3,
        search_ms_per_query: search_time * 1e3,
        profiles_per_second_per_core: options.profiles as f64 / rejection,
        survivors_per_query: survivors as f64 / queries.len() as f64,
        true_parent_first: first,
        bandwidth_ratio: search_time / stream,
        rejection_bandwidth_ratio: rejection / stream,
        warm_ratio: search_time / warm.best_seconds,
        crossmatch,
    })
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "machine: {} ({} cores); kernel: {}", self.cpu, self.cores, self.isa)?;
        writeln!(
            f,
            "index: {} profiles x {} loci, table {:?}; bytes/profile {:.1}; {:.1} MiB; built in {:.1} s",
            self.profiles,
            self.loci,
            self.table,
            self.bytes_per_profile,
            self.index_bytes as f64 / f64::from(1 << 20),
            self.build_seconds
        )?;
        writeln!(
            f,
            "bandwidth: {:.2} GB/s on one core ({} MiB buffer, best of {})",
            self.bandwidth.bytes_per_second / 1e9,
            self.bandwidth.buffer_bytes >> 20,
            self.bandwidth.passes
        )?;
        writeln!(
            f,
            "stream index once: {:.3} ms from memory, {:.3} ms warm",
            self.stream_index_ms, self.stream_index_warm_ms
        )?;
        writeln!(
            f,
            "rejection pass: {:.3} ms/query; profiles compared per second per core: {:.3e}",
            self.rejection_ms_per_query, self.profiles_per_second_per_core
        )?;
        writeln!(
            f,
            "search: {:.3} ms/query ({} queries, {:.1} survivors/query with exact LR); planted parent ranked first {}/{}",
            self.search_ms_per_query, self.queries, self.survivors_per_query, self.true_parent_first, self.queries
        )?;
        write!(
            f,
            "bandwidth_ratio: {:.2} (search / stream from memory); rejection pass alone {:.2}; search / warm stream {:.2}",
            self.bandwidth_ratio, self.rejection_bandwidth_ratio, self.warm_ratio
        )?;
        if let Some(x) = &self.crossmatch {
            write!(
                f,
                "\ncrossmatch: {} children x {} parents on {} threads, {} KiB blocks: {:.1} s (pass with exact CPI of survivors {:.1} s, report of kept pairs {:.1} s); {:.3e} comparisons/s; {} survivors, {} pairs >= {}",
                x.children,
                x.parents,
                x.threads,
                x.block_bytes >> 10,
                x.total_seconds,
                x.pass_seconds,
                x.report_seconds,
                x.comparisons_per_second,
                x.survivors,
                x.pairs,
                x.min_cpi
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_sizes_parse() {
        assert_eq!(parse_cache_size("307200K"), Some(307200 << 10));
        assert_eq!(parse_cache_size("32M"), Some(32 << 20));
        assert_eq!(parse_cache_size("1024"), Some(1024));
        assert_eq!(parse_cache_size("12Q"), None);
        assert_eq!(parse_cache_size(""), None);
    }

    #[test]
    fn bandwidth_is_positive_and_counts_the_buffer() {
        let b = measure_bandwidth(1 << 20, 2);
        assert_eq!(b.buffer_bytes, 1 << 20);
        assert!(b.bytes_per_second > 0.0 && b.best_seconds > 0.0);
        assert!((b.seconds_for(2 << 20) - 2.0 * b.best_seconds).abs() < 1e-9);
    }
}
