//! Search index benchmarks: `cargo bench -p fanguai-kinship --bench search`.
//!
//! The rejection pass per instruction-set copy (bytes of allele codes per second), a
//! whole search with exact ratios of the survivors, a small crossmatch, and the memory
//! streaming loop the bandwidth ratio is measured with. `fanguai kinship bench` gives the
//! 1 M-profile figures with the bandwidth in the same run; these are for comparing
//! changes.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use fanguai_kinship::index::kernel::{self, Isa, LANES, Lane, Scan, SharesAllele};
use fanguai_kinship::index::{CrossmatchOptions, KinshipIndex, SearchOptions};
use fanguai_kinship::simulate::{CODIS_20, east_asia_table};
use fanguai_kinship::{FreqTable, Genotype, LrParams, Profile, SampleCategory};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn main() {
    divan::main();
}

const PROFILES: usize = 100_000;
const LOCI: usize = 20;

fn table() -> &'static FreqTable {
    static T: OnceLock<FreqTable> = OnceLock::new();
    T.get_or_init(east_asia_table)
}

fn draw(rng: &mut StdRng, locus: &str) -> fanguai_kinship::Allele {
    let alleles: Vec<_> = table().alleles(locus).collect();
    let mut u: f64 = rng.r#gen();
    for (a, f) in &alleles {
        if u < *f {
            return *a;
        }
        u -= f;
    }
    alleles.last().unwrap().0
}

fn profile(rng: &mut StdRng, code: String, category: SampleCategory) -> Profile {
    let mut loci = BTreeMap::new();
    for l in CODIS_20 {
        loci.insert(l.to_owned(), Genotype::new(draw(rng, l), draw(rng, l)));
    }
    Profile { code, category, kit: None, loci }
}

/// 100,000 parents and 200 children drawn from the East Asian table.
fn index() -> &'static (KinshipIndex, Vec<Profile>) {
    static I: OnceLock<(KinshipIndex, Vec<Profile>)> = OnceLock::new();
    I.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(1);
        let index = KinshipIndex::new();
        for i in 0..PROFILES {
            index.add(&profile(&mut rng, format!("P{i}"), SampleCategory::ParentOfMissingChild)).unwrap();
        }
        let children: Vec<Profile> =
            (0..200).map(|i| profile(&mut rng, format!("C{i}"), SampleCategory::RescuedChild)).collect();
        for c in &children {
            index.add(c).unwrap();
        }
        (index, children)
    })
}

/// Raw lanes of 100,000 records with codes 1..=12 and a random duo query.
fn lanes() -> &'static (Vec<Lane>, Vec<SharesAllele<false>>) {
    static L: OnceLock<(Vec<Lane>, Vec<SharesAllele<false>>)> = OnceLock::new();
    L.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(2);
        let mut lanes = vec![Lane::EMPTY; PROFILES.div_ceil(LANES) * LOCI * 2];
        for l in &mut lanes {
            for v in l.0.iter_mut() {
                *v = rng.gen_range(1..13);
            }
        }
        let query = (0..LOCI).map(|_| SharesAllele { alleles: [rng.gen_range(1..13), rng.gen_range(1..13)] }).collect();
        (lanes, query)
    })
}

#[divan::bench(args = Isa::available())]
fn rejection_pass(bencher: Bencher, isa: Isa) {
    let (lanes, query) = lanes();
    let mut out = Vec::new();
    bencher.counter(BytesCount::of_slice(lanes.as_slice())).bench_local(|| {
        out.clear();
        kernel::scan_with(
            isa,
            Scan { lanes, query, need: LOCI as u8 - 2, len: PROFILES, base: 0, small_codes: true },
            &mut out,
        );
        out.len()
    });
}

#[divan::bench]
fn stream_index_bytes(bencher: Bencher) {
    let words = vec![1u64; PROFILES * LOCI * 2 / 8];
    bencher.counter(BytesCount::of_slice(words.as_slice())).bench_local(|| kernel::stream_sum(&words));
}

#[divan::bench]
fn search_top10(bencher: Bencher) {
    let (index, children) = index();
    let params = LrParams::default();
    let options = SearchOptions::default();
    let mut i = 0;
    bencher.counter(ItemsCount::new(PROFILES)).bench_local(|| {
        i = (i + 1) % children.len();
        index.search(&children[i], table(), &params, &options).unwrap().parents.len()
    });
}

#[divan::bench(sample_count = 5)]
fn crossmatch_200_children(bencher: Bencher) {
    let (index, children) = index();
    let params = LrParams::default();
    let options = CrossmatchOptions::default();
    bencher
        .counter(ItemsCount::new(PROFILES * children.len()))
        .bench_local(|| index.crossmatch(table(), &params, &options).pairs.len());
}
