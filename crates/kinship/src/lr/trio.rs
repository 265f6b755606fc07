//! An alleged parent, the child, and the child's known other parent.
//!
//! H1: the child received one allele from each of the two typed parents; H2: one allele
//! from the known parent and the other from an untyped man (or woman) unrelated to the
//! alleged parent, drawn conditioned on all four alleles of the two typed parents.
//!
//! With θ = 0 this is the obligate-allele rule: when the known parent fixes the allele q
//! the child got from the other parent, AF = qq → 1/q and AF = qr → 1/(2q). When child
//! and known parent are both pq, either allele could be obligate: AF carrying one of
//! them → 1/(2(p+q)), AF carrying both or homozygous for one → 1/(p+q).
//!
//! With θ, e.g. C = pq, known = pp, AF = qr: PI = (1 + 3θ) / (2 (θ + (1 − θ) q)).

use super::mutation::{Acc, Meiosis, transmit};
use super::splits;
use super::theta::{Frame, Urn};

/// P(child | both typed persons are its parents).
pub(crate) fn related(
    frame: &Frame,
    alleged: (usize, usize),
    known: (usize, usize),
    child: (usize, usize),
    alleged_meiosis: Meiosis,
    known_meiosis: Meiosis,
) -> Acc {
    let mut acc = Acc::default();
    for (from_alleged, from_known) in splits(child) {
        let a = transmit(frame, alleged, from_alleged, alleged_meiosis);
        let k = transmit(frame, known, from_known, known_meiosis);
        acc.merge(a.times(k));
    }
    acc
}

/// P(child | known parent is a parent, the other parent is untyped); `urn` holds both
/// typed parents' alleles.
pub(crate) fn unrelated(
    frame: &Frame,
    urn: &Urn,
    known: (usize, usize),
    child: (usize, usize),
    known_meiosis: Meiosis,
) -> Acc {
    let mut acc = Acc::default();
    for (from_other, from_known) in splits(child) {
        acc.merge(transmit(frame, known, from_known, known_meiosis).scaled(urn.prob(frame, from_other)));
    }
    acc
}
