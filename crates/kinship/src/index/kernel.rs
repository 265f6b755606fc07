//! The Mendelian-rejection pass over the structure-of-arrays layout.
//!
//! Records are stored in blocks of [`LANES`] records. Inside a block, each locus column
//! holds `SLOTS` lanes (two for a person, four for a couple), and a lane holds one allele
//! code per record. A query is one small constant per column, so a column of a block is
//! compared against broadcast constants, 64 records at a time, with no data-dependent
//! branch. The pass counts, per record, the loci that are *compatible* (or that the
//! record does not have); a record survives when that count reaches `need`, i.e. when
//! it has at most the allowed number of Mendelian inconsistencies.
//!
//! The same generic loop is compiled three times: for the baseline target, with AVX2 and
//! with AVX-512BW; the code is identical, only the width of the vectors the compiler may
//! use differs. A fourth copy, for CPUs with AVX-512 VBMI, writes the two-slot rule as
//! two byte-permute table look-ups per column, alone ([`scan`]) or for four queries per
//! load of the lanes ([`scan_group`], used by crossmatch). The fastest copy the CPU
//! supports is chosen at run time. The only `unsafe` in this crate is here: calling the
//! feature-enabled copies after detection, and the aligned vector loads of lanes.
#![allow(unsafe_code)]

/// Records per block: one 512-bit vector of allele codes.
pub const LANES: usize = 64;

/// Allele code of a missing locus (or the empty second slot of a single allele).
pub const MISSING: u8 = 0;

/// Code a query uses for an allele the index has never seen: it equals no stored code.
pub const UNSEEN: u8 = u8::MAX;

/// One allele slot of 64 records. Aligned so that every vector load is aligned.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, align(64))]
pub struct Lane(pub [u8; LANES]);

impl Lane {
    pub const EMPTY: Lane = Lane([MISSING; LANES]);
}

impl std::fmt::Debug for Lane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Lane").field(&&self.0[..]).finish()
    }
}

/// How a query column is compared with the stored slots of one column.
pub trait Rule: Copy + Send + Sync {
    /// Allele slots per stored record and column.
    const SLOTS: usize;
    /// The query has nothing at this column: it is neither read nor counted.
    fn is_absent(&self) -> bool;
    /// The record in lane `i` of `col` is compatible with the query at this column (or
    /// lacks it). `col` holds exactly `SLOTS` lanes.
    fn compatible(&self, col: &[Lane], i: usize) -> bool;

    /// The same rule as two 64-entry tables over stored codes below 64, one per slot of
    /// a two-slot record: compatible = `first[x] | second[y]` (entries 0 or 1). `None`
    /// when the rule cannot be written so.
    fn lookup_tables(&self) -> Option<(Lane, Lane)> {
        None
    }
}

/// A person queried against stored persons (parent ↔ child, either direction): a locus
/// is inconsistent when the two share no allele.
///
/// A stored single allele has an empty second slot. Read as a homozygote
/// (`DROPOUT = false`) it is compared as it is; read as a possible drop-out
/// (`DROPOUT = true`) the hidden allele could be anything, so the locus cannot exclude.
/// A single query allele is given twice (homozygote) or, under drop-out, the caller
/// leaves the column absent for the same reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharesAllele<const DROPOUT: bool> {
    pub alleles: [u8; 2],
}

impl<const DROPOUT: bool> Rule for SharesAllele<DROPOUT> {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn is_absent(&self) -> bool {
        self.alleles[0] == MISSING
    }

    #[inline(always)]
    fn compatible(&self, col: &[Lane], i: usize) -> bool {
        let [c0, c1] = self.alleles;
        let x = col[0].0[i];
        let y = col[1].0[i];
        let shares = (x == MISSING) | (x == c0) | (x == c1) | (y == c0) | (y == c1);
        if DROPOUT { shares | (y == MISSING) } else { shares }
    }

    fn lookup_tables(&self) -> Option<(Lane, Lane)> {
        let (mut first, mut second) = (Lane::EMPTY, Lane::EMPTY);
        first.0[usize::from(MISSING)] = 1;
        if DROPOUT {
            second.0[usize::from(MISSING)] = 1;
        }
        for c in self.alleles {
            // A query code of 64 or more equals no stored code below 64.
            if let Some(slot) = first.0.get_mut(usize::from(c)) {
                *slot = 1;
                second.0[usize::from(c)] = 1;
            }
        }
        Some((first, second))
    }
}

/// A child queried against stored couples: the child must be able to take one allele
/// from the mother and the other from the father. A locus either parent lacks is not
/// compared (the exact ratio skips it too).
///
/// Under drop-out, a single child allele leaves its second allele free
/// (`second_is_any`), and a parent with one stored allele may pass any allele.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildOfCouple<const DROPOUT: bool> {
    pub alleles: [u8; 2],
    pub second_is_any: bool,
}

impl<const DROPOUT: bool> Rule for ChildOfCouple<DROPOUT> {
    const SLOTS: usize = 4;

    #[inline(always)]
    fn is_absent(&self) -> bool {
        self.alleles[0] == MISSING
    }

    #[inline(always)]
    fn compatible(&self, col: &[Lane], i: usize) -> bool {
        let [c0, c1] = self.alleles;
        let any = self.second_is_any;
        let (m0, m1, f0, f1) = (col[0].0[i], col[1].0[i], col[2].0[i], col[3].0[i]);
        let untyped = (m0 == MISSING) | (f0 == MISSING);
        let m_any = DROPOUT & (m1 == MISSING);
        let f_any = DROPOUT & (f1 == MISSING);
        let m_c0 = m_any | (m0 == c0) | (m1 == c0);
        let m_c1 = m_any | any | (m0 == c1) | (m1 == c1);
        let f_c0 = f_any | (f0 == c0) | (f1 == c0);
        let f_c1 = f_any | any | (f0 == c1) | (f1 == c1);
        untyped | (m_c0 & f_c1) | (m_c1 & f_c0)
    }
}

/// A couple queried against stored children: the mirror of [`ChildOfCouple`]. The
/// caller leaves a column absent unless both parents are typed there, gives a single
/// parental allele twice, and sets `*_any` for one under drop-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoupleOfChild<const DROPOUT: bool> {
    pub mother: [u8; 2],
    pub father: [u8; 2],
    pub mother_any: bool,
    pub father_any: bool,
}

impl<const DROPOUT: bool> Rule for CoupleOfChild<DROPOUT> {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn is_absent(&self) -> bool {
        self.mother[0] == MISSING
    }

    #[inline(always)]
    fn compatible(&self, col: &[Lane], i: usize) -> bool {
        let [m0, m1] = self.mother;
        let [f0, f1] = self.father;
        let (m_any, f_any) = (self.mother_any, self.father_any);
        let x = col[0].0[i];
        let y = col[1].0[i];
        let y_single = y == MISSING;
        let x_m = m_any | (x == m0) | (x == m1);
        let x_f = f_any | (x == f0) | (x == f1);
        // A single stored allele is the homozygote x/x, or under drop-out x/anything.
        let (y_m, y_f) = if DROPOUT {
            (y_single | m_any | (y == m0) | (y == m1), y_single | f_any | (y == f0) | (y == f1))
        } else {
            (
                (y_single & x_m) | m_any | (y == m0) | (y == m1),
                (y_single & x_f) | f_any | (y == f0) | (y == f1),
            )
        };
        (x == MISSING) | (x_m & y_f) | (y_m & x_f)
    }
}

/// A scan request over one run of blocks.
#[derive(Debug, Clone, Copy)]
pub struct Scan<'a, R> {
    /// `blocks × query.len() × R::SLOTS` lanes, block-major then column-major.
    pub lanes: &'a [Lane],
    /// One rule per column of the stored layout (absent columns included).
    pub query: &'a [R],
    /// Compatible-or-missing columns a record needs to survive.
    pub need: u8,
    /// Records actually stored; lanes past it are padding and never reported.
    pub len: usize,
    /// Added to every reported position.
    pub base: u32,
    /// Every stored code in `lanes` is below 64 (the column dictionaries are that small),
    /// so the lookup-table copy may run.
    pub small_codes: bool,
}

/// Which copy of the loop runs on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    Baseline,
    Avx2,
    Avx512,
    /// AVX-512 with VBMI byte permutes: two-slot rules as table look-ups.
    Avx512Vbmi,
}

impl Isa {
    /// The widest instruction set this CPU offers for the kernel.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512bw") && std::arch::is_x86_feature_detected!("avx512f") {
                if std::arch::is_x86_feature_detected!("avx512vbmi") {
                    return Isa::Avx512Vbmi;
                }
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Baseline
    }

    /// Every copy this CPU can run, for tests that compare them.
    pub fn available() -> Vec<Isa> {
        let best = Isa::detect();
        [Isa::Baseline, Isa::Avx2, Isa::Avx512, Isa::Avx512Vbmi].into_iter().filter(|&i| i <= best).collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Isa::Baseline => "baseline",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512bw",
            Isa::Avx512Vbmi => "avx512vbmi",
        }
    }
}

/// Appends the positions (`base + index`) of surviving records to `out`, using the best
/// instruction set of this CPU.
pub fn scan<R: Rule>(scan: Scan<'_, R>, out: &mut Vec<u32>) {
    scan_with(Isa::detect(), scan, out)
}

/// As [`scan`], with an explicit instruction set. Asking for one the CPU lacks falls back
/// to the best available.
pub fn scan_with<R: Rule>(isa: Isa, scan: Scan<'_, R>, out: &mut Vec<u32>) {
    let isa = isa.min(Isa::detect());
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512Vbmi => {
            if let Some(tables) = lookup_tables(&scan) {
                // SAFETY: `isa` is at most what `Isa::detect` found with
                // `is_x86_feature_detected!`, so AVX-512F/BW/VBMI are present.
                unsafe { scan_lookup_vbmi(scan, &tables, out) }
            } else {
                // SAFETY: as above; AVX-512F/BW are part of this level.
                unsafe { scan_avx512(scan, out) }
            }
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the feature-enabled copies may only run on a CPU with those features;
        // `isa` is at most what `Isa::detect` found with `is_x86_feature_detected!`.
        Isa::Avx512 => unsafe { scan_avx512(scan, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above, AVX2 was detected at run time.
        Isa::Avx2 => unsafe { scan_avx2(scan, out) },
        _ => scan_generic(scan, out),
    }
}

/// Per column: the two tables, or `None` for an absent column. `None` overall when the
/// rule has no table form or codes may reach 64.
fn lookup_tables<R: Rule>(scan: &Scan<'_, R>) -> Option<Vec<Option<(Lane, Lane)>>> {
    if R::SLOTS != 2 || !scan.small_codes {
        return None;
    }
    scan.query.iter().map(|r| if r.is_absent() { Some(None) } else { r.lookup_tables().map(Some) }).collect()
}

/// The two-slot scan as byte permutes: per column, `first[x] | second[y]` gives 0 or 1
/// for 64 records with two `vpermb` and one `or` (the compare copy needs five compares).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
fn scan_lookup_vbmi<R: Rule>(scan: Scan<'_, R>, tables: &[Option<(Lane, Lane)>], out: &mut Vec<u32>) {
    use std::arch::x86_64::{
        __m512i, _mm512_add_epi8, _mm512_cmpge_epu8_mask, _mm512_load_si512, _mm512_or_si512,
        _mm512_permutexvar_epi8, _mm512_set1_epi8, _mm512_setzero_si512,
    };
    let load = |lane: &Lane| -> __m512i {
        // SAFETY: a `Lane` is 64 initialised bytes aligned to 64, exactly one aligned
        // 512-bit load, and the reference keeps it alive for the read.
        unsafe { _mm512_load_si512((lane as *const Lane).cast()) }
    };
    let Scan { lanes, query, need, len, base, .. } = scan;
    let stride = query.len() * 2;
    if stride == 0 || len == 0 {
        return scan_generic(scan, out);
    }
    let need_v = _mm512_set1_epi8(need as i8);
    for (b, block) in lanes.chunks_exact(stride).enumerate() {
        let first = b * LANES;
        if first >= len {
            break;
        }
        let mut acc = _mm512_setzero_si512();
        for (col, t) in block.chunks_exact(2).zip(tables) {
            let Some((tx, ty)) = t else { continue };
            let x = _mm512_permutexvar_epi8(load(&col[0]), load(tx));
            let y = _mm512_permutexvar_epi8(load(&col[1]), load(ty));
            acc = _mm512_add_epi8(acc, _mm512_or_si512(x, y));
        }
        let mut mask = _mm512_cmpge_epu8_mask(acc, need_v);
        let valid = len - first;
        if valid < LANES {
            mask &= (1u64 << valid) - 1;
        }
        while mask != 0 {
            out.push(base + (first as u32) + mask.trailing_zeros());
            mask &= mask - 1;
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn scan_avx2<R: Rule>(scan: Scan<'_, R>, out: &mut Vec<u32>) {
    scan_generic(scan, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2")]
fn scan_avx512<R: Rule>(scan: Scan<'_, R>, out: &mut Vec<u32>) {
    scan_generic(scan, out)
}

/// The loop every copy shares. Written over fixed-size lanes and `chunks_exact` so that
/// the inner loop has no bounds checks and vectorises to byte compares.
#[inline(always)]
fn scan_generic<R: Rule>(scan: Scan<'_, R>, out: &mut Vec<u32>) {
    let Scan { lanes, query, need, len, base, .. } = scan;
    let stride = query.len() * R::SLOTS;
    if stride == 0 || len == 0 {
        // No comparable column: every record is trivially compatible.
        if need == 0 {
            out.extend((0..len as u32).map(|i| base + i));
        }
        return;
    }
    for (b, block) in lanes.chunks_exact(stride).enumerate() {
        let first = b * LANES;
        if first >= len {
            break;
        }
        let mut acc = [0u8; LANES];
        for (col, rule) in block.chunks_exact(R::SLOTS).zip(query) {
            if rule.is_absent() {
                continue;
            }
            for (i, a) in acc.iter_mut().enumerate() {
                *a += rule.compatible(col, i) as u8;
            }
        }
        let mut mask = 0u64;
        for (i, &a) in acc.iter().enumerate() {
            mask |= ((a >= need) as u64) << i;
        }
        let valid = len - first;
        if valid < LANES {
            mask &= (1u64 << valid) - 1;
        }
        while mask != 0 {
            let i = mask.trailing_zeros();
            out.push(base + (first as u32) + i);
            mask &= mask - 1;
        }
    }
}

/// Several queries over the same records, as a crossmatch runs them.
#[derive(Debug, Clone, Copy)]
pub struct GroupScan<'a, R> {
    pub lanes: &'a [Lane],
    /// One rule per column for each query, all of the same width.
    pub queries: &'a [&'a [R]],
    /// `need` of each query.
    pub needs: &'a [u8],
    pub len: usize,
    pub base: u32,
    pub small_codes: bool,
}

/// Queries handled together by the grouped look-up copy: each column of a block is loaded
/// once for all of them, which divides the traffic from the L2 cache by this.
pub const GROUP: usize = 4;

/// Appends the survivors of query `q` to `outs[q]`. With AVX-512 VBMI and look-up tables
/// the queries run [`GROUP`] at a time over each block; otherwise one after the other
/// with [`scan_with`]. `scratch` holds the tables between calls (no allocation once warm).
pub fn scan_group<R: Rule>(isa: Isa, group: GroupScan<'_, R>, scratch: &mut Vec<(Lane, Lane)>, outs: &mut [Vec<u32>]) {
    let GroupScan { lanes, queries, needs, len, base, small_codes } = group;
    let width = queries.first().map_or(0, |q| q.len());
    debug_assert!(queries.len() == needs.len() && outs.len() >= queries.len());
    debug_assert!(queries.iter().all(|q| q.len() == width));
    let isa = isa.min(Isa::detect());
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx512Vbmi && small_codes && R::SLOTS == 2 {
        while done < queries.len() {
            let end = (done + GROUP).min(queries.len());
            let Some(group_needs) = group_tables(&queries[done..end], &needs[done..end], width, scratch) else {
                break;
            };
            // SAFETY: `isa` is at most what `Isa::detect` found with
            // `is_x86_feature_detected!`, so AVX-512F/BW/VBMI are present.
            unsafe { scan_group_vbmi(lanes, scratch, width, &group_needs, len, base, &mut outs[done..end]) };
            done = end;
        }
    }
    // Without the grouped copy (or from a query without a table form): one by one.
    for ((query, &need), out) in queries.iter().zip(needs).zip(outs.iter_mut()).skip(done) {
        scan_with(isa, Scan { lanes, query, need, len, base, small_codes }, out);
    }
}

/// Fills `scratch` with [`GROUP`] × `width` table pairs for up to [`GROUP`] queries and
/// returns their `need`s. An absent column gets tables that accept every record and
/// adds one to its query's `need`, so the inner loop has no branch; a missing query
/// accepts nothing and needs 255.
fn group_tables<R: Rule>(queries: &[&[R]], needs: &[u8], width: usize, scratch: &mut Vec<(Lane, Lane)>) -> Option<[u8; GROUP]> {
    let all = (Lane([1; LANES]), Lane::EMPTY);
    scratch.clear();
    scratch.resize(GROUP * width, (Lane::EMPTY, Lane::EMPTY));
    let mut out = [u8::MAX; GROUP];
    for (g, (q, &need)) in queries.iter().zip(needs).enumerate() {
        let mut absent = 0u8;
        for (c, r) in q.iter().enumerate() {
            scratch[g * width + c] = if r.is_absent() {
                absent += 1;
                all
            } else {
                r.lookup_tables()?
            };
        }
        out[g] = need.saturating_add(absent);
    }
    Some(out)
}

/// [`GROUP`] queries over the same blocks: per column, the two lanes are loaded once
/// and looked up in each query's tables (`tables[g * width + column]`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
fn scan_group_vbmi(
    lanes: &[Lane],
    tables: &[(Lane, Lane)],
    width: usize,
    needs: &[u8; GROUP],
    len: usize,
    base: u32,
    outs: &mut [Vec<u32>],
) {
    use std::arch::x86_64::{
        __m512i, _mm512_add_epi8, _mm512_cmpge_epu8_mask, _mm512_load_si512, _mm512_or_si512,
        _mm512_permutexvar_epi8, _mm512_set1_epi8, _mm512_setzero_si512,
    };
    let load = |lane: &Lane| -> __m512i {
        // SAFETY: a `Lane` is 64 initialised bytes aligned to 64, exactly one aligned
        // 512-bit load, and the reference keeps it alive for the read.
        unsafe { _mm512_load_si512((lane as *const Lane).cast()) }
    };
    let stride = width * 2;
    if stride == 0 || len == 0 || tables.len() != GROUP * width {
        return;
    }
    let need_v = needs.map(|n| _mm512_set1_epi8(n as i8));
    let n = outs.len().min(GROUP);
    for (b, block) in lanes.chunks_exact(stride).enumerate() {
        let first = b * LANES;
        if first >= len {
            break;
        }
        let mut acc = [_mm512_setzero_si512(); GROUP];
        for (c, col) in block.chunks_exact(2).enumerate() {
            let x = load(&col[0]);
            let y = load(&col[1]);
            for (g, a) in acc.iter_mut().enumerate() {
                let (tx, ty) = &tables[g * width + c];
                let hit = _mm512_or_si512(_mm512_permutexvar_epi8(x, load(tx)), _mm512_permutexvar_epi8(y, load(ty)));
                *a = _mm512_add_epi8(*a, hit);
            }
        }
        let valid = len - first;
        for (g, out) in outs.iter_mut().enumerate().take(n) {
            let mut mask = _mm512_cmpge_epu8_mask(acc[g], need_v[g]);
            if valid < LANES {
                mask &= (1u64 << valid) - 1;
            }
            while mask != 0 {
                out.push(base + (first as u32) + mask.trailing_zeros());
                mask &= mask - 1;
            }
        }
    }
}

/// Sums a buffer of words, reading every byte once: the streaming loop that measures the
/// memory bandwidth the scan is compared with. Compiled like the scan, with the widest
/// vectors of this CPU, so that the two are held to the same standard.
pub fn stream_sum(words: &[u64]) -> u64 {
    match Isa::detect() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX-512F was detected at run time by `Isa::detect`.
        Isa::Avx512 | Isa::Avx512Vbmi => unsafe { stream_sum_avx512(words) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2 was detected at run time by `Isa::detect`.
        Isa::Avx2 => unsafe { stream_sum_avx2(words) },
        _ => stream_sum_generic(words),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn stream_sum_avx2(words: &[u64]) -> u64 {
    stream_sum_generic(words)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2")]
fn stream_sum_avx512(words: &[u64]) -> u64 {
    stream_sum_generic(words)
}

#[inline(always)]
fn stream_sum_generic(words: &[u64]) -> u64 {
    // Sixteen independent sums keep enough loads in flight to saturate memory.
    let mut acc = [0u64; 16];
    let chunks = words.chunks_exact(16);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (a, &w) in acc.iter_mut().zip(chunk) {
            *a = a.wrapping_add(w);
        }
    }
    let head = acc.iter().fold(0u64, |s, &a| s.wrapping_add(a));
    tail.iter().fold(head, |s, &w| s.wrapping_add(w))
}

/// Record-at-a-time reference used by tests to check every vector copy.
pub fn scan_reference<R: Rule>(scan: Scan<'_, R>, out: &mut Vec<u32>) {
    let Scan { lanes, query, need, len, base, .. } = scan;
    let stride = query.len() * R::SLOTS;
    for r in 0..len {
        let (b, i) = (r / LANES, r % LANES);
        let mut compatible = 0u32;
        for (c, rule) in query.iter().enumerate() {
            if rule.is_absent() {
                continue;
            }
            let start = b * stride + c * R::SLOTS;
            if rule.compatible(&lanes[start..start + R::SLOTS], i) {
                compatible += 1;
            }
        }
        if compatible >= u32::from(need) {
            out.push(base + r as u32);
        }
    }
}
