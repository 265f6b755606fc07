//! Population substructure: the Balding–Nichols sampling formula.
//!
//! Two people of one subpopulation share alleles more often than the population
//! frequencies say. Balding & Nichols (1994; NRC II recommendation 4.10) model this with
//! the coancestry coefficient θ: having seen `n` alleles of which `n_a` are `a`, the
//! next allele drawn from the subpopulation is `a` with probability
//!
//! ```text
//! P(a | n_a of n) = (n_a θ + (1 − θ) p_a) / (1 + (n − 1) θ)
//! ```
//!
//! Every likelihood ratio of this crate is built from this one rule: the alleles of the
//! typed founders (alleged parents, the first sibling) are drawn first, then each allele
//! the child receives from an *untyped* founder is drawn conditioned on all alleles seen
//! so far — jointly, as R Familias does, not person by person. With θ = 0 the rule is
//! `P(a) = p_a` exactly, so every index reduces to its plain product-rule formula.

use crate::allele::Allele;

/// The sampling formula: probability that the next allele is `a`, given `seen_same`
/// copies of `a` among `seen_total` alleles already drawn, population frequency `p`.
pub fn sampling_probability(p: f64, seen_same: u32, seen_total: u32, theta: f64) -> f64 {
    (f64::from(seen_same) * theta + (1.0 - theta) * p) / (1.0 + (f64::from(seen_total) - 1.0) * theta)
}

/// Distinct alleles one locus can involve: two per person for three persons, plus the
/// lumped "any other allele" of the drop-out model.
pub(crate) const MAX_SYMBOLS: usize = 8;

/// The alleles in play at one locus, numbered, with the frequencies used.
///
/// `alleles[i] == None` is the lumped symbol for every allele nobody shows (used only by
/// the drop-out model), with frequency 1 − Σ shown. Lumping unseen alleles is exact for
/// both the product rule and the sampling formula (the Dirichlet aggregation property),
/// as long as no mutation is involved — and a lumped allele never mutates here.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub n: usize,
    pub alleles: [Option<Allele>; MAX_SYMBOLS],
    pub freqs: [f64; MAX_SYMBOLS],
}

impl Frame {
    pub fn new() -> Frame {
        Frame { n: 0, alleles: [None; MAX_SYMBOLS], freqs: [0.0; MAX_SYMBOLS] }
    }

    /// The symbol of an allele, adding it with frequency `freq()` when new.
    pub fn symbol(&mut self, allele: Allele, freq: impl FnOnce() -> f64) -> usize {
        if let Some(i) = self.alleles[..self.n].iter().position(|a| *a == Some(allele)) {
            return i;
        }
        let i = self.n;
        self.alleles[i] = Some(allele);
        self.freqs[i] = freq();
        self.n += 1;
        i
    }

    /// Adds the lumped "any other allele" symbol; `false` when the shown alleles already
    /// take the whole frequency mass.
    pub fn add_other(&mut self) -> bool {
        let shown: f64 = self.freqs[..self.n].iter().sum();
        let rest = 1.0 - shown;
        if rest <= 0.0 {
            return false;
        }
        self.alleles[self.n] = None;
        self.freqs[self.n] = rest;
        self.n += 1;
        true
    }
}

/// Counts of alleles drawn so far, for the sampling formula.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Urn {
    counts: [u32; MAX_SYMBOLS],
    total: u32,
    theta: f64,
}

impl Urn {
    pub fn new(theta: f64) -> Urn {
        Urn { counts: [0; MAX_SYMBOLS], total: 0, theta }
    }

    /// Probability that the next drawn allele is `symbol`.
    pub fn prob(&self, frame: &Frame, symbol: usize) -> f64 {
        sampling_probability(frame.freqs[symbol], self.counts[symbol], self.total, self.theta)
    }

    pub fn add(&mut self, symbol: usize) {
        self.counts[symbol] += 1;
        self.total += 1;
    }

    /// Probability of an unordered genotype drawn as two new alleles; the urn then holds
    /// both.
    pub fn draw_genotype(&mut self, frame: &Frame, a: usize, b: usize) -> f64 {
        let order = if a == b { 1.0 } else { 2.0 };
        let pa = self.prob(frame, a);
        self.add(a);
        let pb = self.prob(frame, b);
        self.add(b);
        order * pa * pb
    }

    /// Probability of an unordered genotype drawn as two new alleles, urn unchanged.
    pub fn genotype_prob(&self, frame: &Frame, a: usize, b: usize) -> f64 {
        let mut scratch = *self;
        scratch.draw_genotype(frame, a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_to_frequency_without_theta() {
        for (same, total) in [(0, 0), (1, 2), (2, 4), (0, 3)] {
            assert_eq!(sampling_probability(0.137, same, total, 0.0), 0.137);
        }
    }

    #[test]
    fn first_draw_is_the_frequency() {
        let v = sampling_probability(0.2, 0, 0, 0.03);
        assert!((v - 0.2).abs() < 1e-15);
    }

    #[test]
    fn homozygote_matches_nrc_ii() {
        // NRC II 4.10: P(aa) = p[θ + (1 − θ)p]
        let (p, t) = (0.1, 0.03);
        let mut frame = Frame::new();
        let a = frame.symbol("10".parse().unwrap(), || p);
        let got = Urn::new(t).genotype_prob(&frame, a, a);
        let want = p * (t + (1.0 - t) * p);
        assert!((got - want).abs() < 1e-15 * want);
    }

    #[test]
    fn heterozygote_matches_nrc_ii() {
        // P(ab) = 2 p q (1 − θ)
        let (p, q, t) = (0.1, 0.25, 0.02);
        let mut frame = Frame::new();
        let a = frame.symbol("10".parse().unwrap(), || p);
        let b = frame.symbol("11".parse().unwrap(), || q);
        let got = Urn::new(t).genotype_prob(&frame, a, b);
        let want = 2.0 * p * q * (1.0 - t);
        assert!((got - want).abs() < 1e-15 * want);
    }

    #[test]
    fn predictive_probabilities_sum_to_one() {
        let mut frame = Frame::new();
        let a = frame.symbol("10".parse().unwrap(), || 0.3);
        let b = frame.symbol("11".parse().unwrap(), || 0.5);
        assert!(frame.add_other());
        let mut urn = Urn::new(0.05);
        urn.add(a);
        urn.add(a);
        urn.add(b);
        let total: f64 = (0..frame.n).map(|s| urn.prob(&frame, s)).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }
}
