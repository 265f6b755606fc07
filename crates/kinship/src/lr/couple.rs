//! A couple alleged together as the parents of a child (a family registered as the
//! parents of a missing child, compared with a found child).
//!
//! LR = P(C | AM, AF) / P(C): H1, each parent passes each of its alleles with
//! probability ½; H2, the child is unrelated to both and its alleles are drawn
//! conditioned on the four parental alleles seen. With θ = 0, e.g. C = pq, AM = pp,
//! AF = qq → 1/(2pq); C = pp, AM = pq, AF = pr → 1/(4p²).

use super::mutation::{Acc, Meiosis, transmit};
use super::splits;
use super::theta::Frame;

/// P(child | the couple are its parents).
pub(crate) fn related(
    frame: &Frame,
    father: (usize, usize),
    mother: (usize, usize),
    child: (usize, usize),
    paternal: Meiosis,
    maternal: Meiosis,
) -> Acc {
    let mut acc = Acc::default();
    for (from_father, from_mother) in splits(child) {
        let f = transmit(frame, father, from_father, paternal);
        let m = transmit(frame, mother, from_mother, maternal);
        acc.merge(f.times(m));
    }
    acc
}
