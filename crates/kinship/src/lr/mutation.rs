//! Transmission from parent to child, with stepwise mutation for apparent exclusions.
//!
//! A parent passes each of its two alleles with probability ½. When no Mendelian
//! explanation exists, a parent allele `a` may have mutated into the child allele `c`:
//!
//! ```text
//! P(a → c) = ½ (which allele) · μ · ½ (up or down) · 10^−(s−1)      s = whole repeat steps
//! ```
//!
//! A change that is not a whole number of repeats (`9.3` → `10`) is not stepwise; it is
//! given the rate `μ · non_integer_factor` (default μ/100) with s = the distance rounded
//! up, and is ranked as s + 2 steps when choosing the explanation.
//!
//! Mutation terms are used only when needed: a hypothesis's probability is the sum of
//! the explanations with the fewest mutations, and among those the fewest steps (the
//! "smallest s found"); larger changes are ignored. Mendelian explanations, when they
//! exist, therefore exclude every mutation term.

use super::theta::Frame;

/// Extra rank of a non-integer change: its factor 1/100 is worth two repeat steps.
const NON_INTEGER_RANK: u32 = 2;

/// A probability with the mutations it assumes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Term {
    pub mutations: u32,
    /// Steps plus the extra rank of non-integer changes: the order of preference.
    pub rank: u32,
    /// Repeat steps assumed (non-integer distances rounded up).
    pub steps: u32,
    pub non_integer: bool,
    /// Which parents mutated, one bit per parent position.
    pub parents: u8,
    pub value: f64,
}

impl Term {
    pub const fn mendelian(value: f64) -> Term {
        Term { mutations: 0, rank: 0, steps: 0, non_integer: false, parents: 0, value }
    }

    fn key(&self) -> (u32, u32) {
        (self.mutations, self.rank)
    }
}

/// A sum of terms that keeps only the preferred explanations (fewest mutations, then
/// fewest steps).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Acc {
    pub best: Option<Term>,
}

impl Acc {
    pub fn add(&mut self, term: Term) {
        if term.value.is_nan() || term.value <= 0.0 {
            return;
        }
        match &mut self.best {
            None => self.best = Some(term),
            Some(best) if term.key() < best.key() => *best = term,
            Some(best) if term.key() == best.key() => {
                best.non_integer |= term.non_integer;
                best.parents |= term.parents;
                best.value += term.value;
            }
            Some(_) => {}
        }
    }

    pub fn merge(&mut self, other: Acc) {
        if let Some(t) = other.best {
            self.add(t);
        }
    }

    pub fn scaled(self, factor: f64) -> Acc {
        Acc { best: self.best.map(|t| Term { value: t.value * factor, ..t }) }
    }

    /// The product of two sums: mutations and steps add up.
    pub fn times(self, other: Acc) -> Acc {
        match (self.best, other.best) {
            (Some(a), Some(b)) => Acc {
                best: Some(Term {
                    mutations: a.mutations + b.mutations,
                    rank: a.rank + b.rank,
                    steps: a.steps + b.steps,
                    non_integer: a.non_integer || b.non_integer,
                    parents: a.parents | b.parents,
                    value: a.value * b.value,
                }),
            },
            _ => Acc::default(),
        }
    }

    #[cfg(test)]
    pub fn value(&self) -> f64 {
        self.best.map_or(0.0, |t| t.value)
    }
}

/// 10^−(s−1): each further repeat step is ten times rarer.
fn decay(steps: u32) -> f64 {
    const TABLE: [f64; 8] = [10.0, 1.0, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6];
    match TABLE.get(steps as usize) {
        Some(v) => *v,
        None => 10f64.powi(1 - steps as i32),
    }
}

/// The mutation rate of one parent's meiosis, and the bit that names that parent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Meiosis {
    pub mu: f64,
    pub non_integer_factor: f64,
    pub parent_bit: u8,
}

/// Probability that a parent of genotype `parent` (symbols) passes the child allele `x`.
pub(crate) fn transmit(frame: &Frame, parent: (usize, usize), x: usize, meiosis: Meiosis) -> Acc {
    let Meiosis { mu, non_integer_factor, parent_bit } = meiosis;
    let mut acc = Acc::default();
    for slot in [parent.0, parent.1] {
        if slot == x {
            acc.add(Term::mendelian(0.5));
            continue;
        }
        let (Some(a), Some(c)) = (frame.alleles[slot], frame.alleles[x]) else { continue };
        let Some(distance) = a.distance_tenths(&c) else { continue };
        let whole = distance % 10 == 0;
        let steps = distance.div_ceil(10);
        let decay = decay(steps);
        let (rate, rank) = if whole { (mu, steps) } else { (mu * non_integer_factor, steps + NON_INTEGER_RANK) };
        acc.add(Term { mutations: 1, rank, steps, non_integer: !whole, parents: parent_bit, value: 0.5 * rate * 0.5 * decay });
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Meiosis = Meiosis { mu: 0.002, non_integer_factor: 0.01, parent_bit: 1 };

    fn frame(alleles: &[&str]) -> Frame {
        let mut f = Frame::new();
        for a in alleles {
            f.symbol(a.parse().unwrap(), || 0.1);
        }
        f
    }

    #[test]
    fn mendelian_beats_mutation() {
        let f = frame(&["15", "16"]);
        let t = transmit(&f, (0, 1), 0, M);
        assert_eq!(t.best, Some(Term::mendelian(0.5)));
        let hom = transmit(&f, (0, 0), 0, M);
        assert_eq!(hom.value(), 1.0);
    }

    #[test]
    fn one_and_two_steps() {
        let f = frame(&["15", "17", "16"]);
        // parent 15,17 → child 16: both alleles one step away, summed
        let t = transmit(&f, (0, 1), 2, M).best.unwrap();
        assert_eq!((t.mutations, t.steps), (1, 1));
        assert!((t.value - 2.0 * 0.5 * 0.002 * 0.5).abs() < 1e-18);
        // parent 15,15 → child 17: two steps, 10× rarer
        let t = transmit(&f, (0, 0), 1, M).best.unwrap();
        assert_eq!((t.mutations, t.steps), (1, 2));
        assert!((t.value - 2.0 * 0.5 * 0.002 * 0.5 * 0.1).abs() < 1e-18);
    }

    #[test]
    fn smallest_step_wins() {
        let f = frame(&["14", "17", "15"]);
        // 14 → 15 is one step, 17 → 15 two: only the one-step term counts
        let t = transmit(&f, (0, 1), 2, M).best.unwrap();
        assert_eq!(t.steps, 1);
        assert!((t.value - 0.5 * 0.002 * 0.5).abs() < 1e-18);
    }

    #[test]
    fn non_integer_uses_the_small_rate() {
        let f = frame(&["9.3", "10"]);
        let t = transmit(&f, (0, 0), 1, M).best.unwrap();
        assert!(t.non_integer);
        assert_eq!((t.steps, t.rank), (1, 3));
        assert!((t.value - 2.0 * 0.5 * 0.002 * 0.01 * 0.5).abs() < 1e-20);
    }

    #[test]
    fn product_adds_mutations() {
        let a = Acc { best: Some(Term { mutations: 1, rank: 1, steps: 1, non_integer: false, parents: 1, value: 0.1 }) };
        let b = Acc { best: Some(Term::mendelian(0.5)) };
        let p = a.times(b).best.unwrap();
        assert_eq!((p.mutations, p.steps), (1, 1));
        assert!((p.value - 0.05).abs() < 1e-18);
        assert_eq!(a.times(Acc::default()).best, None);
    }
}
