//! The search index against brute force: the same candidates, in the same order, with the
//! same numbers as computing the exact likelihood ratio for every stored record.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use fanguai_kinship::index::kernel::{
    self, ChildOfCouple, CoupleOfChild, GroupScan, Isa, LANES, Lane, MISSING, Rule, Scan, SharesAllele, UNSEEN,
};
use fanguai_kinship::index::{CrossmatchOptions, IndexError, KinshipIndex, SearchOptions};
use fanguai_kinship::lr::{self, KinshipResult};
use fanguai_kinship::{Allele, FreqTable, Genotype, LrParams, Profile, SampleCategory};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

// ---------------------------------------------------------------- kernel copies

/// Codes from a small alphabet (so that matches are common) placed at `offset`, which
/// takes them up to the edge of the lookup tables (63) or beyond it.
fn random_lanes(rng: &mut StdRng, n: usize, offset: u8) -> Vec<Lane> {
    (0..n)
        .map(|_| {
            let mut l = Lane::EMPTY;
            for v in l.0.iter_mut() {
                *v = match rng.gen_range(0..10) {
                    0 => MISSING,
                    _ => offset + rng.gen_range(1..6),
                };
            }
            l
        })
        .collect()
}

fn code(rng: &mut StdRng, offset: u8) -> u8 {
    match rng.gen_range(0..12) {
        0 => MISSING,
        1 => UNSEEN,
        _ => offset + rng.gen_range(1..6),
    }
}

fn check_copies<R: Rule + std::fmt::Debug>(rng: &mut StdRng, make: impl Fn(&mut StdRng, u8) -> R) {
    for round in 0..60 {
        // Codes below 64 (lookup tables allowed), at their edge, or beyond (not allowed).
        let (offset, small_codes) = [(0, true), (58, true), (100, false)][round % 3];
        let width = rng.gen_range(1..9);
        let blocks = rng.gen_range(1..5);
        let lanes = random_lanes(rng, blocks * width * R::SLOTS, offset);
        let query: Vec<R> = (0..width).map(|_| make(rng, offset)).collect();
        let len = rng.gen_range(0..=blocks * LANES);
        let need = rng.gen_range(0..=width as u8 + 1);
        let base = rng.gen_range(0..1000);
        let scan = Scan { lanes: &lanes, query: &query, need, len, base, small_codes };
        let mut expected = Vec::new();
        kernel::scan_reference(scan, &mut expected);
        for isa in Isa::available() {
            let mut got = Vec::new();
            kernel::scan_with(isa, scan, &mut got);
            assert_eq!(got, expected, "{isa:?} width {width} len {len} need {need} query {query:?}");
        }
    }
}

#[test]
fn every_kernel_copy_matches_the_scalar_reference() {
    let mut rng = StdRng::seed_from_u64(11);
    eprintln!("kernel copies on this CPU: {:?}", Isa::available());
    check_copies(&mut rng, |r, o| SharesAllele::<false> { alleles: [code(r, o), code(r, o)] });
    check_copies(&mut rng, |r, o| SharesAllele::<true> { alleles: [code(r, o), code(r, o)] });
    check_copies(&mut rng, |r, o| ChildOfCouple::<false> { alleles: [code(r, o), code(r, o)], second_is_any: r.r#gen() });
    check_copies(&mut rng, |r, o| ChildOfCouple::<true> { alleles: [code(r, o), code(r, o)], second_is_any: r.r#gen() });
    check_copies(&mut rng, |r, o| CoupleOfChild::<false> {
        mother: [code(r, o), code(r, o)],
        father: [code(r, o), code(r, o)],
        mother_any: r.r#gen(),
        father_any: r.r#gen(),
    });
    check_copies(&mut rng, |r, o| CoupleOfChild::<true> {
        mother: [code(r, o), code(r, o)],
        father: [code(r, o), code(r, o)],
        mother_any: r.r#gen(),
        father_any: r.r#gen(),
    });
}

fn check_groups<R: Rule + std::fmt::Debug>(rng: &mut StdRng, make: impl Fn(&mut StdRng, u8) -> R) {
    for round in 0..40 {
        let (offset, small_codes) = [(0, true), (58, true), (100, false)][round % 3];
        let width = rng.gen_range(1..9);
        let blocks = rng.gen_range(1..4);
        let lanes = random_lanes(rng, blocks * width * R::SLOTS, offset);
        let n = rng.gen_range(1..10);
        let rows: Vec<Vec<R>> = (0..n).map(|_| (0..width).map(|_| make(rng, offset)).collect()).collect();
        let queries: Vec<&[R]> = rows.iter().map(Vec::as_slice).collect();
        let needs: Vec<u8> = (0..n).map(|_| rng.gen_range(0..=width as u8 + 1)).collect();
        let len = rng.gen_range(0..=blocks * LANES);
        let base = rng.gen_range(0..1000);
        let mut expected = Vec::new();
        for (q, &need) in queries.iter().zip(&needs) {
            let mut out = Vec::new();
            kernel::scan_reference(Scan { lanes: &lanes, query: q, need, len, base, small_codes }, &mut out);
            expected.push(out);
        }
        let mut scratch = Vec::new();
        for isa in Isa::available() {
            let mut outs = vec![Vec::new(); n];
            let group = GroupScan { lanes: &lanes, queries: &queries, needs: &needs, len, base, small_codes };
            kernel::scan_group(isa, group, &mut scratch, &mut outs);
            assert_eq!(outs, expected, "{isa:?} width {width} queries {n} needs {needs:?}");
        }
    }
}

#[test]
fn grouped_queries_match_one_by_one() {
    let mut rng = StdRng::seed_from_u64(12);
    check_groups(&mut rng, |r, o| SharesAllele::<false> { alleles: [code(r, o), code(r, o)] });
    check_groups(&mut rng, |r, o| SharesAllele::<true> { alleles: [code(r, o), code(r, o)] });
    check_groups(&mut rng, |r, o| ChildOfCouple::<false> { alleles: [code(r, o), code(r, o)], second_is_any: r.r#gen() });
}

#[test]
fn stream_sum_reads_every_word() {
    let words: Vec<u64> = (0..10_007).collect();
    assert_eq!(kernel::stream_sum(&words), words.iter().sum::<u64>());
    assert_eq!(kernel::stream_sum(&[]), 0);
}

// ---------------------------------------------------------------- populations

const TABLE: &str = "D3S1358\n8\t0.1\n9\t0.2\n10\t0.25\n11\t0.2\n12\t0.15\n13\t0.1\n\n\
vWA\n8\t0.3\n9\t0.2\n10\t0.2\n11\t0.1\n12\t0.1\n13\t0.1\n\n\
TH01\n8\t0.2\n9\t0.2\n9.3\t0.3\n10\t0.1\n11\t0.1\n12\t0.1\n\n\
FGA\n8\t0.05\n9\t0.15\n10\t0.3\n11\t0.3\n12\t0.1\n13\t0.1\n\n\
D8S1179\n8\t0.2\n9\t0.2\n10\t0.2\n11\t0.2\n12\t0.1\n13\t0.1\n";

fn table() -> FreqTable {
    FreqTable::load_norstr(TABLE, "test table").unwrap()
}

/// Loci typed in the population: five in the table, one not (skipped by the exact ratio).
const LOCI: [&str; 6] = ["D3S1358", "vWA", "TH01", "FGA", "D8S1179", "D5S818"];

fn allele(rng: &mut StdRng) -> Allele {
    match rng.gen_range(0..40) {
        0 => Allele::OFF_LADDER,
        1 => "9.3".parse().unwrap(),
        2 => "14".parse().unwrap(), // not in the table: minimum frequency
        _ => Allele::from_tenths(rng.gen_range(8..14) * 10).unwrap(),
    }
}

fn allele_in(rng: &mut StdRng, repeats: std::ops::Range<u16>) -> Allele {
    Allele::from_tenths(rng.gen_range(repeats) * 10).unwrap()
}

fn person(rng: &mut StdRng, code: String, category: SampleCategory) -> Profile {
    let mut p = Profile::new(&code, category).unwrap();
    for locus in LOCI {
        if rng.gen_bool(0.1) {
            continue;
        }
        let g = if rng.gen_bool(0.1) { Genotype::Single(allele(rng)) } else { Genotype::new(allele(rng), allele(rng)) };
        p.insert(locus, g).unwrap();
    }
    // The index refuses a profile with nothing to compare; keep one comparable locus.
    if p.loci.values().all(|g| g.has_off_ladder()) {
        p.loci.insert("vWA".into(), Genotype::new(allele_in(rng, 8..14), allele_in(rng, 8..14)));
    }
    if rng.gen_bool(0.5) {
        let sex = if rng.r#gen() { "X,Y" } else { "X,X" };
        p.insert("Amelogenin", sex.parse().unwrap()).unwrap();
    }
    if rng.gen_bool(0.2) {
        p.kit = Some("Goldeneye 20A".into());
    }
    p
}

/// A child of two people: one allele from each, with an occasional one-step mutation.
fn child_of(rng: &mut StdRng, code: String, mother: &Profile, father: &Profile) -> Profile {
    let mut c = Profile::new(&code, SampleCategory::RescuedChild).unwrap();
    for locus in LOCI {
        let (Some(m), Some(f)) = (mother.loci.get(locus), father.loci.get(locus)) else { continue };
        let take = |g: &Genotype, rng: &mut StdRng| {
            let (a, b) = g.alleles();
            let x = if rng.r#gen() { b.unwrap_or(a) } else { a };
            match x.tenths() {
                Some(t) if rng.gen_bool(0.05) => Allele::from_tenths(t + 10).unwrap(),
                _ => x,
            }
        };
        let (a, b) = (take(m, rng), take(f, rng));
        let g = if a != b && rng.gen_bool(0.1) { Genotype::Single(a) } else { Genotype::new(a, b) };
        c.insert(locus, g).unwrap();
    }
    if c.loci.values().all(|g| g.has_off_ladder()) {
        c.loci.insert("vWA".into(), "10,11".parse().unwrap());
    }
    c
}

struct Population {
    parents: Vec<Profile>,
    children: Vec<Profile>,
    couples: Vec<(String, Profile, Profile)>,
}

fn population(seed: u64) -> Population {
    let mut rng = StdRng::seed_from_u64(seed);
    let parents: Vec<Profile> =
        (0..80).map(|i| person(&mut rng, format!("P{i:03}"), SampleCategory::ParentOfMissingChild)).collect();
    let mut children = Vec::new();
    for i in 0..40 {
        let c = if i % 2 == 0 {
            let (m, f) = (&parents[rng.gen_range(0..80)], &parents[rng.gen_range(0..80)]);
            child_of(&mut rng, format!("C{i:03}"), m, f)
        } else {
            let cat = [SampleCategory::RescuedChild, SampleCategory::StreetChild, SampleCategory::ChildOfUnknownOrigin]
                [i % 3];
            person(&mut rng, format!("C{i:03}"), cat)
        };
        children.push(c);
    }
    let couples = (0..30)
        .map(|i| {
            let m = parents[2 * i].clone();
            let f = parents[2 * i + 1].clone();
            (format!("FM{i:03}"), m, f)
        })
        .collect();
    Population { parents, children, couples }
}

fn build(pop: &Population) -> KinshipIndex {
    let index = KinshipIndex::new();
    // Interleaved so that the panel grows while records of every pool arrive.
    for (i, p) in pop.parents.iter().enumerate() {
        index.add(p).unwrap();
        if let Some(c) = pop.children.get(i) {
            index.add(c).unwrap();
        }
        if let Some((code, m, f)) = pop.couples.get(i) {
            index.add_couple(code, m, f).unwrap();
        }
    }
    index
}

/// (code, cpi, inconsistent, shared) of the best candidates by brute force.
fn brute(
    mut results: Vec<(String, KinshipResult)>,
    options: &SearchOptions,
) -> Vec<(String, f64, u32, u32)> {
    results.retain(|(_, r)| r.inconsistent_loci <= options.max_inconsistent && r.cpi >= options.min_cpi);
    results.sort_by(|a, b| b.1.cpi.total_cmp(&a.1.cpi).then_with(|| a.0.cmp(&b.0)));
    results.truncate(options.top);
    results.into_iter().map(|(c, r)| (c, r.cpi, r.inconsistent_loci, r.shared_loci)).collect()
}

fn found(list: &[fanguai_kinship::index::Candidate]) -> Vec<(String, f64, u32, u32)> {
    list.iter().map(|c| (c.code.clone(), c.cpi, c.inconsistent_loci, c.shared_loci)).collect()
}

fn params_for(theta_index: u8, dropout: bool) -> LrParams {
    LrParams { theta: [0.0, 0.01, 0.03][theta_index as usize % 3], single_as_dropout: dropout, ..LrParams::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn search_equals_brute_force(seed in 0u64..1_000_000, theta in 0u8..3, dropout: bool, top in 1usize..8, max_inconsistent in 0u32..4) {
        let pop = population(seed);
        let index = build(&pop);
        let t = table();
        let params = params_for(theta, dropout);
        let options = SearchOptions { top, max_inconsistent, min_cpi: 0.0 };
        for child in &pop.children {
            let report = index.search(child, &t, &params, &options).unwrap();
            let want_parents = brute(
                pop.parents.iter().map(|p| (p.code.clone(), lr::duo(child, p, &t, &params))).collect(),
                &options,
            );
            prop_assert_eq!(found(&report.parents), want_parents, "child {}", child.code);
            let want_couples = brute(
                pop.couples.iter().map(|(c, m, f)| (c.clone(), lr::couple(child, m, f, &t, &params))).collect(),
                &options,
            );
            prop_assert_eq!(found(&report.couples), want_couples, "child {} couples", child.code);
            for c in &report.couples {
                let (_, m, f) = pop.couples.iter().find(|(code, _, _)| *code == c.code).unwrap();
                prop_assert_eq!(c.members.clone(), Some([m.code.clone(), f.code.clone()]));
            }
        }
        for parent in pop.parents.iter().take(20) {
            let report = index.search(parent, &t, &params, &options).unwrap();
            let want = brute(
                pop.children.iter().map(|c| (c.code.clone(), lr::duo(c, parent, &t, &params))).collect(),
                &options,
            );
            prop_assert_eq!(found(&report.children), want, "parent {}", parent.code);
        }
        for (code, m, f) in pop.couples.iter().take(10) {
            let report = index.search_code(code, &t, &params, &options).unwrap();
            let want = brute(
                pop.children.iter().map(|c| (c.code.clone(), lr::couple(c, m, f, &t, &params))).collect(),
                &options,
            );
            prop_assert_eq!(found(&report.children), want, "couple {}", code);
        }
    }

    #[test]
    fn crossmatch_equals_brute_force(seed in 0u64..1_000_000, dropout: bool, threads in 1usize..4, block_bytes in 1usize..4096) {
        let pop = population(seed);
        let index = build(&pop);
        let t = table();
        let params = params_for(0, dropout);
        let options = CrossmatchOptions { min_cpi: 2.0, max_inconsistent: 2, threads, block_bytes };
        let report = index.crossmatch(&t, &params, &options);
        let mut want = Vec::new();
        for c in &pop.children {
            for p in &pop.parents {
                let r = lr::duo(c, p, &t, &params);
                if r.inconsistent_loci <= 2 && r.cpi >= 2.0 {
                    want.push((c.code.clone(), p.code.clone(), r.cpi));
                }
            }
            for (code, m, f) in &pop.couples {
                let r = lr::couple(c, m, f, &t, &params);
                if r.inconsistent_loci <= 2 && r.cpi >= 2.0 {
                    want.push((c.code.clone(), code.clone(), r.cpi));
                }
            }
        }
        want.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)).then_with(|| a.1.cmp(&b.1)));
        let got: Vec<_> = report.pairs.iter().map(|p| (p.child.clone(), p.candidate.clone(), p.cpi)).collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(report.children, pop.children.len());
        prop_assert_eq!(report.comparisons, (pop.children.len() * (pop.parents.len() + pop.couples.len())) as u64);
    }
}

// ---------------------------------------------------------------- behaviour

#[test]
fn stored_profiles_come_back_exactly() {
    let pop = population(3);
    let index = build(&pop);
    for p in pop.parents.iter().chain(&pop.children) {
        assert_eq!(index.profile(&p.code).as_ref(), Some(p));
    }
    for (code, m, f) in &pop.couples {
        assert_eq!(index.couple(code), Some((m.clone(), f.clone())));
    }
    let stats = index.stats();
    assert_eq!((stats.parents, stats.children, stats.couples), (80, 40, 30));
    assert_eq!(stats.loci, LOCI.len(), "every autosomal locus has a column, Amelogenin has none");
}

#[test]
fn refusals_name_the_reason() {
    let index = KinshipIndex::new();
    let p = Profile::parse_inline("vWA=14,15", "A1", SampleCategory::ParentOfMissingChild).unwrap();
    index.add(&p).unwrap();
    assert_eq!(index.add(&p), Err(IndexError::DuplicateCode { code: "A1".into() }));
    let rel = Profile::parse_inline("vWA=14,15", "R1", SampleCategory::Relative).unwrap();
    assert!(matches!(index.add(&rel), Err(IndexError::NotSearchable { .. })));
    let sex_only = Profile::parse_inline("AMEL=X,Y;TH01=OL,9", "S1", SampleCategory::RescuedChild).unwrap();
    assert!(matches!(index.add(&sex_only), Err(IndexError::NothingToCompare { .. })));
    assert!(!index.contains("S1"), "a refused record leaves no trace");
    let child = Profile::parse_inline("vWA=14,15", "K1", SampleCategory::StreetChild).unwrap();
    assert!(matches!(index.add_couple("FM", &p, &child), Err(IndexError::CoupleMember { .. })));
    let t = table();
    let err = index.search_code("nobody", &t, &LrParams::default(), &SearchOptions::default()).unwrap_err();
    assert_eq!(err, IndexError::UnknownCode { code: "nobody".into() });
}

#[test]
fn the_true_parent_ranks_first_with_a_margin() {
    let t = table();
    let index = KinshipIndex::new();
    let father = Profile::parse_inline(
        "D3S1358=8,13;vWA=12,13;TH01=8,12;FGA=8,13;D8S1179=12,13",
        "FATHER",
        SampleCategory::ParentOfMissingChild,
    )
    .unwrap();
    index.add(&father).unwrap();
    // Unrelated people carry only common alleles, never the father's rare ones.
    let mut rng = StdRng::seed_from_u64(5);
    for i in 0..500 {
        let mut p = Profile::new(&format!("U{i:04}"), SampleCategory::ParentOfMissingChild).unwrap();
        for locus in &LOCI[..5] {
            let mut common = || Allele::from_tenths(rng.gen_range(9..12) * 10).unwrap();
            p.insert(locus, Genotype::new(common(), common())).unwrap();
        }
        index.add(&p).unwrap();
    }
    let child =
        Profile::parse_inline("D3S1358=8,10;vWA=13,9;TH01=12,9.3;FGA=8,10;D8S1179=13,10", "CHILD", SampleCategory::RescuedChild)
            .unwrap();
    let report = index.search(&child, &t, &LrParams::default(), &SearchOptions::default()).unwrap();
    let best = &report.parents[0];
    assert_eq!(best.code, "FATHER");
    assert_eq!(best.rank, 1);
    assert_eq!(best.inconsistent_loci, 0);
    let second = report.parents.get(1).map_or(0.0, |c| c.cpi);
    assert_eq!(best.margin, (second > 0.0).then(|| best.cpi / second));
    assert!(report.scanned >= 501 && report.survivors < report.scanned, "{} of {}", report.survivors, report.scanned);
}

#[test]
fn removed_records_are_not_found_and_space_is_reclaimed() {
    let pop = population(9);
    let index = build(&pop);
    let t = table();
    let params = LrParams::default();
    let all = SearchOptions { top: usize::MAX, max_inconsistent: 99, min_cpi: 0.0 };
    let child = &pop.children[0];
    let before = index.search(child, &t, &params, &all).unwrap();
    assert_eq!(before.parents.len(), 80);
    for p in pop.parents.iter().step_by(2) {
        assert!(index.remove(&p.code));
        assert!(!index.remove(&p.code));
    }
    assert!(index.remove("FM001"));
    let after = index.search(child, &t, &params, &all).unwrap();
    assert_eq!(after.parents.len(), 40);
    assert!(after.parents.iter().all(|c| c.code[1..].parse::<u32>().unwrap() % 2 == 1));
    assert!(after.couples.iter().all(|c| c.code != "FM001"));
    assert_eq!(index.profile(&pop.parents[0].code), None);
    // The code is free again.
    index.add(&pop.parents[0]).unwrap();
    assert_eq!(index.stats().parents, 41);
}

#[test]
fn adds_and_removals_run_while_searches_do() {
    let t = table();
    let params = LrParams::default();
    let index = KinshipIndex::new();
    let mut rng = StdRng::seed_from_u64(21);
    let stable: Vec<Profile> =
        (0..3000).map(|i| person(&mut rng, format!("S{i:05}"), SampleCategory::ParentOfMissingChild)).collect();
    for p in &stable {
        index.add(p).unwrap();
    }
    let target = &stable[1234];
    let child = child_of(&mut rng, "CHILD".into(), target, target);
    let all = SearchOptions { top: usize::MAX, max_inconsistent: 2, min_cpi: 0.0 };
    let expected = index.search(&child, &t, &params, &all).unwrap().parents.iter().any(|c| c.code == target.code);
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut rng = StdRng::seed_from_u64(22);
            for round in 0..4 {
                let extra: Vec<Profile> = (0..5000)
                    .map(|i| person(&mut rng, format!("T{round}-{i:05}"), SampleCategory::ParentOfMissingChild))
                    .collect();
                for p in &extra {
                    index.add(p).unwrap();
                }
                for p in &extra {
                    assert!(index.remove(&p.code));
                }
            }
            done.store(true, Ordering::SeqCst);
        });
        for _ in 0..2 {
            s.spawn(|| {
                let mut searches = 0;
                while !done.load(Ordering::SeqCst) || searches < 3 {
                    let r = index.search(&child, &t, &params, &all).unwrap();
                    // A record present throughout is always seen, whatever else changes.
                    assert_eq!(r.parents.iter().any(|c| c.code == target.code), expected);
                    assert!(r.parents.iter().all(|c| c.code.starts_with('S') || c.code.starts_with('T')));
                    searches += 1;
                }
            });
        }
    });
    assert_eq!(index.stats().parents, 3000);
    let after: BTreeMap<String, f64> =
        index.search(&child, &t, &params, &all).unwrap().parents.into_iter().map(|c| (c.code, c.cpi)).collect();
    assert!(after.keys().all(|c| c.starts_with('S')));
}

#[test]
fn loci_beyond_the_last_column_still_count_exactly() {
    // 70 loci: the index has columns for 64, the rest are kept beside each record and the
    // full computation scores those records.
    let loci: Vec<String> = (1..=70).map(|i| format!("L{i:02}")).collect();
    let mut text = String::new();
    for l in &loci {
        text.push_str(&format!("{l}\n8\t0.1\n9\t0.2\n10\t0.3\n11\t0.2\n12\t0.2\n\n"));
    }
    let t = FreqTable::load_norstr(&text, "wide").unwrap();
    let mut rng = StdRng::seed_from_u64(70);
    let mut make = |code: String, category, typed: usize| {
        let mut p = Profile::new(&code, category).unwrap();
        for l in &loci[..typed] {
            p.insert(l, Genotype::new(allele_in(&mut rng, 8..13), allele_in(&mut rng, 8..13))).unwrap();
        }
        p
    };
    let parents: Vec<Profile> = (0..60)
        .map(|i| make(format!("P{i:02}"), SampleCategory::ParentOfMissingChild, if i % 2 == 0 { 70 } else { 40 }))
        .collect();
    let children: Vec<Profile> = (0..6).map(|i| make(format!("C{i}"), SampleCategory::RescuedChild, 70)).collect();
    let index = KinshipIndex::new();
    for p in parents.iter().chain(&children) {
        index.add(p).unwrap();
    }
    assert_eq!(index.stats().loci, 64);
    assert_eq!(index.profile("P00").as_ref(), Some(&parents[0]));
    let params = LrParams::default();
    let options = SearchOptions { top: 20, max_inconsistent: 40, min_cpi: 0.0 };
    for child in &children {
        let report = index.search(child, &t, &params, &options).unwrap();
        let want = brute(parents.iter().map(|p| (p.code.clone(), lr::duo(child, p, &t, &params))).collect(), &options);
        assert_eq!(found(&report.parents), want);
    }
    let report = index.crossmatch(&t, &params, &CrossmatchOptions { min_cpi: 0.0, max_inconsistent: 40, ..Default::default() });
    assert_eq!(report.pairs.len(), children.len() * parents.len());
}
