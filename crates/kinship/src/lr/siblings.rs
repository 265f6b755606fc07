//! Siblings and second-degree relatives, through identity by descent.
//!
//! LR = k0 + k1 · P(G2 | G1, IBD = 1) / P(G2) + k2 · P(G2 | G1, IBD = 2) / P(G2), with
//! (k0, k1, k2) = (¼, ½, ¼) for full siblings and (½, ½, 0) for half siblings,
//! grandparent–grandchild and uncle/aunt–nephew/niece. Under IBD = 1, one allele of G2
//! is a copy of one of G1's two (½ each) and the other is drawn conditioned on G1's
//! alleles; under IBD = 2, G2 equals G1. P(G2) is drawn conditioned on G1's alleles too.
//!
//! With θ = 0, for full siblings: identical heterozygotes pq → (1 + p + q + 2pq)/(8pq)
//! (written ¼ (1 + (p+q)/(2pq) + 1/(2pq))); identical homozygotes pp →
//! ¼ (1 + 1/p)²; no shared allele → ¼.

use super::splits;
use super::theta::{Frame, Urn};

/// IBD coefficients (k0, k1, k2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ibd {
    pub k0: f64,
    pub k1: f64,
    pub k2: f64,
}

pub(crate) const FULL: Ibd = Ibd { k0: 0.25, k1: 0.5, k2: 0.25 };
pub(crate) const HALF: Ibd = Ibd { k0: 0.5, k1: 0.5, k2: 0.0 };

fn same(a: (usize, usize), b: (usize, usize)) -> bool {
    a == b || a == (b.1, b.0)
}

/// P(second | first, relationship); `urn` holds the first person's alleles.
pub(crate) fn related(frame: &Frame, urn: &Urn, first: (usize, usize), second: (usize, usize), ibd: Ibd) -> f64 {
    let unrelated = urn.genotype_prob(frame, second.0, second.1);
    let mut one = 0.0;
    for shared in [first.0, first.1] {
        for (copied, drawn) in splits(second) {
            if copied == shared {
                one += 0.5 * urn.prob(frame, drawn);
            }
        }
    }
    let two = if same(first, second) { 1.0 } else { 0.0 };
    ibd.k0 * unrelated + ibd.k1 * one + ibd.k2 * two
}
