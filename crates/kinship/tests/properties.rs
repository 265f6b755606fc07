//! Properties every likelihood ratio must have, on random genotypes.
#![allow(clippy::needless_range_loop)] // genotype indices double as frequency indices

use std::collections::BTreeMap;

use fanguai_kinship::lr::{self, LrParams, theta::sampling_probability};
use fanguai_kinship::{Allele, FreqTable, Genotype, KinshipResult, Profile, SampleCategory};
use proptest::prelude::*;

/// Two loci whose frequencies sum to exactly 1 in binary (dyadic values), so that sums
/// over all genotypes can be compared tightly.
const TABLE: &str = "\
vWA,14,0.125
vWA,15,0.25
vWA,16,0.0625
vWA,17,0.3125
vWA,18,0.25
TH01,6,0.25
TH01,7,0.125
TH01,9,0.375
TH01,9.3,0.125
TH01,10,0.125
";

const VWA: [&str; 5] = ["14", "15", "16", "17", "18"];
const TH01: [&str; 5] = ["6", "7", "9", "9.3", "10"];
const VWA_F: [f64; 5] = [0.125, 0.25, 0.0625, 0.3125, 0.25];

fn table() -> FreqTable {
    FreqTable::load_csv(TABLE, "dyadic").unwrap()
}

fn a(s: &str) -> Allele {
    s.parse().unwrap()
}

/// Alleles by index; index 5 is an allele absent from the table (minimum frequency).
fn allele(names: &[&str; 5], i: usize) -> Allele {
    if i < 5 { a(names[i]) } else { a("31.2") }
}

#[derive(Debug, Clone, Copy)]
struct G {
    vwa: (usize, usize),
    th01: (usize, usize),
    single: bool,
}

fn genotype() -> impl Strategy<Value = G> {
    (0..6usize, 0..6usize, 0..6usize, 0..6usize, prop::bool::weighted(0.15))
        .prop_map(|(a, b, c, d, single)| G { vwa: (a, b), th01: (c, d), single })
}

fn geno(names: &[&str; 5], (x, y): (usize, usize), single: bool) -> Genotype {
    if single && x == y { Genotype::Single(allele(names, x)) } else { Genotype::new(allele(names, x), allele(names, y)) }
}

fn profile(code: &str, g: G) -> Profile {
    let mut p = Profile::new(code, SampleCategory::Reference).unwrap();
    p.insert("vWA", geno(&VWA, g.vwa, g.single)).unwrap();
    p.insert("TH01", geno(&TH01, g.th01, g.single)).unwrap();
    p
}

fn params() -> impl Strategy<Value = LrParams> {
    (prop_oneof![Just(0.0), 0.0..0.05f64], prop::bool::ANY).prop_map(|(theta, single_as_dropout)| LrParams {
        theta,
        single_as_dropout,
        ..LrParams::default()
    })
}

fn all_results(x: &Profile, y: &Profile, z: &Profile, t: &FreqTable, p: &LrParams) -> Vec<KinshipResult> {
    vec![
        lr::duo(x, y, t, p),
        lr::trio(x, y, z, t, p),
        lr::couple(x, y, z, t, p),
        lr::full_sib(x, y, t, p),
        lr::half_sib(x, y, t, p),
    ]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn indices_are_finite_and_never_negative(x in genotype(), y in genotype(), z in genotype(), p in params()) {
        let t = table();
        for r in all_results(&profile("X", x), &profile("Y", y), &profile("Z", z), &t, &p) {
            prop_assert!(r.cpi.is_finite() && r.cpi >= 0.0, "{:?}: {}", r.relation, r.cpi);
            prop_assert!((0.0..=1.0).contains(&r.probability));
            for l in &r.loci {
                prop_assert!(l.index.is_finite() && l.index >= 0.0, "{:?} {}: {}", r.relation, l.locus, l.index);
            }
        }
    }

    #[test]
    fn allele_order_within_a_genotype_changes_nothing(x in genotype(), y in genotype(), z in genotype(), p in params()) {
        let t = table();
        let (px, py, pz) = (profile("X", x), profile("Y", y), profile("Z", z));
        let swap = |p: &Profile| {
            let mut q = p.clone();
            for g in q.loci.values_mut() {
                if let Genotype::Two(a, b) = *g {
                    *g = Genotype::Two(b, a);
                }
            }
            q
        };
        let before = all_results(&px, &py, &pz, &t, &p);
        let after = all_results(&swap(&px), &swap(&py), &swap(&pz), &t, &p);
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(close(b.cpi, a.cpi), "{:?}: {} vs {}", b.relation, b.cpi, a.cpi);
            prop_assert_eq!(b.inconsistent_loci, a.inconsistent_loci);
        }
    }

    #[test]
    fn a_profile_is_consistent_with_itself_as_parent(x in genotype(), p in params()) {
        let px = profile("X", x);
        let r = lr::duo(&px, &px.clone(), &table(), &p);
        prop_assert_eq!(r.inconsistent_loci, 0);
        prop_assert!(r.loci.iter().all(|l| l.consistent && l.mutation.is_none()));
        prop_assert!(r.cpi > 1.0, "sharing every allele is evidence for parentage: {}", r.cpi);
    }

    #[test]
    fn duo_without_mutation_is_symmetric(x in genotype(), other in genotype(), keep in (0..2usize, 0..2usize), p in params()) {
        // P(parent, child | H1) is the same joint whichever of the two is called the
        // parent; only the mutation model tells them apart. Y inherits one allele of X
        // at each locus, so most pairs are consistent.
        let pick = |(a, b): (usize, usize), i: usize| if i == 0 { a } else { b };
        let y = G { vwa: (pick(x.vwa, keep.0), other.vwa.1), th01: (pick(x.th01, keep.1), other.th01.1), single: other.single };
        let (px, py, t) = (profile("X", x), profile("Y", y), table());
        let forward = lr::duo(&px, &py, &t, &p);
        prop_assume!(forward.inconsistent_loci == 0);
        let backward = lr::duo(&py, &px, &t, &p);
        prop_assert!(close(forward.cpi, backward.cpi), "{} vs {}", forward.cpi, backward.cpi);
    }

    #[test]
    fn theta_zero_duo_is_brenners_formula(child in (0..5usize, 0..5usize), parent in (0..5usize, 0..5usize)) {
        let t = table();
        let mk = |code: &str, (x, y): (usize, usize)| {
            let mut p = Profile::new(code, SampleCategory::Reference).unwrap();
            p.insert("vWA", Genotype::new(allele(&VWA, x), allele(&VWA, y))).unwrap();
            p
        };
        let r = lr::duo(&mk("C", child), &mk("AF", parent), &t, &LrParams::default());
        let f = |i: usize| VWA_F[i];
        let (c1, c2) = child;
        let has = |i: usize| parent.0 == i || parent.1 == i;
        let parent_hom = parent.0 == parent.1;
        // Brenner: P(AF passes x) = 1 (AF = xx) or ½ (AF carries x once).
        let pass = |i: usize| if !has(i) { 0.0 } else if parent_hom { 1.0 } else { 0.5 };
        let plain = if c1 == c2 {
            pass(c1) * f(c1) / (f(c1) * f(c1))
        } else {
            (pass(c1) * f(c2) + pass(c2) * f(c1)) / (2.0 * f(c1) * f(c2))
        };
        prop_assume!(plain > 0.0);
        prop_assert!(close(r.cpi, plain), "{} vs {}", r.cpi, plain);
    }

    #[test]
    fn duo_probabilities_over_all_children_sum_to_one(parent in (0..5usize, 0..5usize), theta in 0.0..0.05f64) {
        // Σ over every child genotype g of PI(g) · P(g | unrelated) = Σ P(g | parent) = 1,
        // counting only Mendelian-consistent children (the others need a mutation).
        // P(g | unrelated) is drawn with the sampling formula given the parent's alleles.
        let t = table();
        let params = LrParams { theta, ..LrParams::default() };
        let mut af = Profile::new("AF", SampleCategory::Reference).unwrap();
        af.insert("vWA", Genotype::new(allele(&VWA, parent.0), allele(&VWA, parent.1))).unwrap();
        let seen = |i: usize, extra: Option<usize>| {
            [Some(parent.0), Some(parent.1), extra].iter().filter(|s| **s == Some(i)).count() as u32
        };
        let mut total = 0.0;
        for i in 0..5 {
            for j in i..5 {
                let mut c = Profile::new("C", SampleCategory::Reference).unwrap();
                c.insert("vWA", Genotype::new(allele(&VWA, i), allele(&VWA, j))).unwrap();
                let r = lr::duo(&c, &af, &t, &params);
                if r.inconsistent_loci > 0 {
                    continue;
                }
                let order = if i == j { 1.0 } else { 2.0 };
                let unrelated = order
                    * sampling_probability(VWA_F[i], seen(i, None), 2, theta)
                    * sampling_probability(VWA_F[j], seen(j, Some(i)), 3, theta);
                total += r.cpi * unrelated;
            }
        }
        prop_assert!((total - 1.0).abs() < 1e-12, "{}", total);
    }

    #[test]
    fn sibling_probabilities_over_all_genotypes_sum_to_one(first in (0..5usize, 0..5usize), theta in 0.0..0.05f64, full in prop::bool::ANY) {
        let t = table();
        let params = LrParams { theta, ..LrParams::default() };
        let mut a1 = Profile::new("A", SampleCategory::Reference).unwrap();
        a1.insert("vWA", Genotype::new(allele(&VWA, first.0), allele(&VWA, first.1))).unwrap();
        let seen = |i: usize, extra: Option<usize>| {
            [Some(first.0), Some(first.1), extra].iter().filter(|s| **s == Some(i)).count() as u32
        };
        let mut total = 0.0;
        for i in 0..5 {
            for j in i..5 {
                let mut b = Profile::new("B", SampleCategory::Reference).unwrap();
                b.insert("vWA", Genotype::new(allele(&VWA, i), allele(&VWA, j))).unwrap();
                let r = if full { lr::full_sib(&a1, &b, &t, &params) } else { lr::half_sib(&a1, &b, &t, &params) };
                let order = if i == j { 1.0 } else { 2.0 };
                let unrelated = order
                    * sampling_probability(VWA_F[i], seen(i, None), 2, theta)
                    * sampling_probability(VWA_F[j], seen(j, Some(i)), 3, theta);
                total += r.cpi * unrelated;
            }
        }
        prop_assert!((total - 1.0).abs() < 1e-12, "{}", total);
    }

    #[test]
    fn sibling_indices_are_at_least_k0(x in genotype(), y in genotype(), p in params()) {
        let (px, py, t) = (profile("X", x), profile("Y", y), table());
        for l in lr::full_sib(&px, &py, &t, &p).loci {
            prop_assert!(l.index >= 0.25 * (1.0 - 1e-12), "{}", l.index);
        }
        for l in lr::half_sib(&px, &py, &t, &p).loci {
            prop_assert!(l.index >= 0.5 * (1.0 - 1e-12), "{}", l.index);
        }
    }

    #[test]
    fn a_true_trio_is_consistent(af in (0..5usize, 0..5usize), m in (0..5usize, 0..5usize), pick in (0..2usize, 0..2usize), p in params()) {
        let t = table();
        let pair = |(x, y): (usize, usize)| [x, y];
        let child = (pair(af)[pick.0], pair(m)[pick.1]);
        let mk = |code: &str, (x, y): (usize, usize)| {
            let mut p = Profile::new(code, SampleCategory::Reference).unwrap();
            p.insert("vWA", Genotype::new(allele(&VWA, x), allele(&VWA, y))).unwrap();
            p
        };
        let r = lr::trio(&mk("C", child), &mk("AF", af), &mk("M", m), &t, &p);
        prop_assert_eq!(r.inconsistent_loci, 0);
        prop_assert!(r.cpi > 0.0);
        let c = lr::couple(&mk("C", child), &mk("M", m), &mk("AF", af), &t, &p);
        prop_assert_eq!(c.inconsistent_loci, 0);
    }

    #[test]
    fn combined_index_equals_the_full_report(x in genotype(), y in genotype(), z in genotype(), p in params()) {
        let t = table();
        let (px, py, pz) = (profile("X", x), profile("Y", y), profile("Z", z));
        let kinships = [
            lr::Kinship::Duo { child: &px, parent: &py },
            lr::Kinship::Trio { child: &px, alleged: &py, known: &pz },
            lr::Kinship::Couple { child: &px, mother: &py, father: &pz },
            lr::Kinship::FullSib(&px, &py),
            lr::Kinship::HalfSib(&px, &py),
        ];
        for k in kinships {
            let full = lr::compare(k, &t, &p);
            let fast = lr::combined(k, &t, &p);
            prop_assert_eq!(fast.cpi.to_bits(), full.cpi.to_bits());
            prop_assert_eq!(fast.inconsistent_loci, full.inconsistent_loci);
            prop_assert_eq!(fast.shared_loci, full.shared_loci);
        }
    }

    #[test]
    fn inline_profiles_round_trip(x in genotype()) {
        let p = profile("X", x);
        let again = Profile::parse_inline(&p.to_inline(), "X", SampleCategory::Reference).unwrap();
        prop_assert_eq!(again, p);
    }

    #[test]
    fn alleles_round_trip(tenths in 0u16..10_000) {
        let al = Allele::from_tenths(tenths).unwrap();
        prop_assert_eq!(al.to_string().parse::<Allele>().unwrap(), al);
    }

    #[test]
    fn locus_loading_is_order_independent(rows in Just(TABLE.lines().collect::<Vec<_>>()).prop_shuffle()) {
        let shuffled = rows.join("\n");
        let a = table();
        let b = FreqTable::load_csv(&shuffled, "dyadic").unwrap();
        for locus in ["vWA", "TH01"] {
            let x: BTreeMap<Allele, f64> = a.alleles(locus).collect();
            let y: BTreeMap<Allele, f64> = b.alleles(locus).collect();
            prop_assert_eq!(x, y);
        }
    }
}
