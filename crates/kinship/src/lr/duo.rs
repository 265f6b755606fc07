//! One alleged parent and the child (paternity or maternity index without the other
//! parent).
//!
//! H1: the child received one allele from the alleged parent and the other from an
//! untyped, unrelated parent; H2: the child is unrelated to the alleged parent. The
//! alleged parent's own genotype probability is the same under both and cancels.
//!
//! With θ = 0 this gives Brenner's table (child C, alleged parent AF):
//!
//! | C  | AF | PI |
//! |----|----|----|
//! | qq | qq | 1/q |
//! | qq | qr | 1/(2q) |
//! | pq | qq | 1/(2q) |
//! | pq | qr | 1/(4q) |
//! | pq | pq | (p+q)/(4pq) |
//! | pq | rs | mutation (see [`super::mutation`]) |
//!
//! With θ the child's alleles are drawn conditioned on the alleged parent's two; e.g. for
//! C = pq, AF = qr: PI = (1 + 2θ) / (4 (θ + (1 − θ) q)).

use super::mutation::{Acc, Meiosis, Term, transmit};
use super::splits;
use super::theta::{Frame, Urn};

/// P(child | alleged parent is a parent); `urn` holds the alleged parent's alleles.
pub(crate) fn related(frame: &Frame, urn: &Urn, parent: (usize, usize), child: (usize, usize), meiosis: Meiosis) -> Acc {
    let mut acc = Acc::default();
    for (from_parent, from_other) in splits(child) {
        acc.merge(transmit(frame, parent, from_parent, meiosis).scaled(urn.prob(frame, from_other)));
    }
    acc
}

/// P(child | unrelated to everyone typed); `urn` holds the typed founders' alleles.
pub(crate) fn unrelated(frame: &Frame, urn: &Urn, child: (usize, usize)) -> Acc {
    let mut acc = Acc::default();
    acc.add(Term::mendelian(urn.genotype_prob(frame, child.0, child.1)));
    acc
}
