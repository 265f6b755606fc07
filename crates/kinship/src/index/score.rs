//! Exact combined indices for many survivors, from memoised per-locus indices.
//!
//! A likelihood ratio is a product over loci, and the index of one locus depends only on
//! the genotypes at that locus, the sex of the alleged parent (for the mutation rate),
//! the table and the parameters ([`crate::lr`] computes it locus by locus). Survivors of
//! the rejection pass share genotypes heavily — a locus has a few dozen common
//! genotypes — so each distinct (locus, genotypes, sex) is computed once, by the
//! likelihood-ratio code itself on one-locus profiles, and every survivor's combined
//! index is the product of looked-up values. The product is taken over the compared loci
//! in the order the full computation uses (locus keys sorted), starting from 1, so it is
//! the same number to the last bit; the tests compare it with the full computation.
//!
//! Only the candidates that are reported get the full computation, for their per-locus
//! report. Records with genotypes kept outside the columns (an allele beyond a full
//! column, a locus beyond the last column) are scored by the full computation too.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::freq::FreqTable;
use crate::lr::{self, Kinship, LrParams};
use crate::profile::{Genotype, Profile, SampleCategory, Sex};

use super::kernel::{MISSING, UNSEEN};
use super::panel::Panel;

/// A multiplicative hash for the packed `u64` keys (the default hasher is built to resist
/// adversarial keys, which these are not, and is several times slower).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        let h = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
}

type Memo = HashMap<u64, Locus, BuildHasherDefault<KeyHasher>>;

/// One locus of one comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Locus {
    index: f64,
    consistent: bool,
    /// False when the full computation would skip the locus.
    compared: bool,
}

/// The numbers of a comparison that ranking needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub cpi: f64,
    pub inconsistent_loci: u32,
    pub shared_loci: u32,
}

/// Sex key of a stored person: what the likelihood ratio reads from Amelogenin.
pub fn sex_key(sex: Option<Sex>) -> u8 {
    match sex {
        None => 0,
        Some(Sex::Male) => 1,
        Some(Sex::Female) => 2,
    }
}

fn amelogenin(key: u8) -> Option<Genotype> {
    match key {
        1 => Some(Genotype::Two(crate::Allele::X, crate::Allele::Y)),
        2 => Some(Genotype::Two(crate::Allele::X, crate::Allele::X)),
        _ => None,
    }
}

/// Which comparison is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Child and one alleged parent (codes: 2 per column each).
    Duo,
    /// Child and a couple (parent codes: mother 2 + father 2 per column).
    Couple,
}

/// Fixed genotypes of a query, used instead of codes (a query may carry alleles the
/// index has never stored, whose code is only [`UNSEEN`]).
#[derive(Debug, Clone, Copy)]
pub enum Fixed<'a> {
    None,
    Child(&'a Profile),
    Parent(&'a Profile),
    Couple { mother: &'a Profile, father: &'a Profile },
}

/// Scores comparisons of one kind with one table and parameter set.
#[derive(Debug)]
pub struct Scorer<'a> {
    panel: &'a Panel,
    table: &'a FreqTable,
    params: &'a LrParams,
    kind: Kind,
    fixed: Fixed<'a>,
    /// Columns in the table, in the order the full computation visits loci.
    order: Vec<usize>,
    memo: Memo,
}

impl<'a> Scorer<'a> {
    pub fn new(panel: &'a Panel, table: &'a FreqTable, params: &'a LrParams, kind: Kind, fixed: Fixed<'a>) -> Self {
        let mut order: Vec<usize> = (0..panel.width()).filter(|&c| table.has_locus(panel.locus(c))).collect();
        order.sort_by(|&a, &b| panel.locus(a).cmp(panel.locus(b)));
        Scorer { panel, table, params, kind, fixed, order, memo: Memo::default() }
    }

    /// Distinct per-locus indices computed so far.
    pub fn memo_len(&self) -> usize {
        self.memo.len()
    }

    /// The combined index of a child (codes, two per column) and a parent or couple
    /// (codes, two or four per column). Codes of the fixed side are ignored where
    /// [`Fixed`] gives genotypes, but must still mark missing columns with [`MISSING`].
    /// `sex` is the alleged parent's [`sex_key`] (duo with a stored parent).
    pub fn score(&mut self, child: &[u8], parent: &[u8], sex: u8) -> Score {
        let per = match self.kind {
            Kind::Duo => 2,
            Kind::Couple => 4,
        };
        let mut s = Score { cpi: 1.0, inconsistent_loci: 0, shared_loci: 0 };
        for i in 0..self.order.len() {
            let c = self.order[i];
            let (Some(ch), Some(pa)) = (child.get(c * 2..c * 2 + 2), parent.get(c * per..c * per + per)) else {
                continue;
            };
            if ch[0] == MISSING || pa[0] == MISSING || (per == 4 && pa[2] == MISSING) {
                continue;
            }
            let mut key = [0u8; 8];
            key[0] = c as u8;
            key[1..3].copy_from_slice(ch);
            key[3..3 + per].copy_from_slice(pa);
            key[7] = sex;
            let key = u64::from_le_bytes(key);
            let locus = match self.memo.get(&key) {
                Some(l) => *l,
                None => {
                    let l = self.compute(c, ch, pa, sex);
                    self.memo.insert(key, l);
                    l
                }
            };
            if locus.compared {
                s.cpi *= locus.index;
                s.inconsistent_loci += u32::from(!locus.consistent);
                s.shared_loci += 1;
            }
        }
        s
    }

    fn genotype(&self, column: usize, codes: &[u8]) -> Genotype {
        debug_assert!(codes[0] != UNSEEN);
        let a = self.panel.allele(column, codes[0]);
        match codes[1] {
            MISSING => Genotype::Single(a),
            b => Genotype::new(a, self.panel.allele(column, b)),
        }
    }

    /// One locus by the likelihood-ratio code, on one-locus profiles.
    fn compute(&self, column: usize, child: &[u8], parent: &[u8], sex: u8) -> Locus {
        let locus = self.panel.locus(column);
        let from = |fixed: Option<&Profile>, codes: &[u8]| -> Option<Genotype> {
            match fixed {
                Some(p) => p.loci.get(locus).copied(),
                None => Some(self.genotype(column, codes)),
            }
        };
        let (fixed_child, fixed_parent, fixed_couple) = match self.fixed {
            Fixed::None => (None, None, None),
            Fixed::Child(p) => (Some(p), None, None),
            Fixed::Parent(p) => (None, Some(p), None),
            Fixed::Couple { mother, father } => (None, None, Some((mother, father))),
        };
        let one = |code: &str, category, g: Option<Genotype>, amel: Option<Genotype>| {
            let mut loci = BTreeMap::new();
            if let Some(g) = g {
                loci.insert(locus.to_owned(), g);
            }
            if let Some(a) = amel {
                loci.insert("Amelogenin".to_owned(), a);
            }
            Profile { code: code.to_owned(), category, kit: None, loci }
        };
        let child = one("child", SampleCategory::RescuedChild, from(fixed_child, child), None);
        let result = match self.kind {
            Kind::Duo => {
                let (g, amel) = match fixed_parent {
                    Some(p) => (p.loci.get(locus).copied(), p.loci.get("Amelogenin").copied()),
                    None => (Some(self.genotype(column, &parent[..2])), amelogenin(sex)),
                };
                let parent = one("parent", SampleCategory::ParentOfMissingChild, g, amel);
                lr::combined(Kinship::Duo { child: &child, parent: &parent }, self.table, self.params)
            }
            Kind::Couple => {
                let (m, f) = match fixed_couple {
                    Some((m, f)) => (m.loci.get(locus).copied(), f.loci.get(locus).copied()),
                    None => (Some(self.genotype(column, &parent[..2])), Some(self.genotype(column, &parent[2..4]))),
                };
                let mother = one("mother", SampleCategory::ParentOfMissingChild, m, None);
                let father = one("father", SampleCategory::ParentOfMissingChild, f, None);
                lr::combined(Kinship::Couple { child: &child, mother: &mother, father: &father }, self.table, self.params)
            }
        };
        // One locus: the combined index is 1 × that locus's index, the same bits.
        match result.shared_loci {
            0 => Locus { index: 1.0, consistent: true, compared: false },
            _ => Locus { index: result.cpi, consistent: result.inconsistent_loci == 0, compared: true },
        }
    }
}

/// Entry of a dense table not computed yet.
const UNFILLED: u64 = u64::MAX;
/// Entry of a locus the full computation would skip.
const SKIPPED: u64 = u64::MAX - 1;

fn pack(l: Locus) -> u64 {
    if !l.compared {
        return SKIPPED;
    }
    // The sign carries the consistency (indices are never negative; -0.0 keeps its sign).
    (if l.consistent { l.index } else { -l.index }).to_bits()
}

/// Duo comparisons where one side is fixed for many lookups (a query, or one child of a
/// crossmatch) and the other varies: per locus and fixed genotype, a dense table over
/// the varying side's codes, filled on first use. A lookup is an array index.
#[derive(Debug)]
pub struct DuoScorer<'a> {
    inner: Scorer<'a>,
    /// The fixed side is the child (else the alleged parent).
    fixed_is_child: bool,
    /// Codes per column side of a table: alleles at the column + 1.
    sides: Vec<usize>,
    tables: Vec<Box<[u64]>>,
    by_key: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
}

/// A fixed side bound to its tables: per compared column (in computation order), the
/// column, its fixed codes and the table of each sex key (created on first use).
#[derive(Debug, Clone, Default)]
pub struct Bound {
    columns: Vec<(usize, [u8; 2], [u32; 3])>,
}

const NO_TABLE: u32 = u32::MAX;

impl<'a> DuoScorer<'a> {
    /// `fixed`: [`Fixed::Child`], [`Fixed::Parent`], or [`Fixed::None`] for a fixed child
    /// given by codes only (all of them stored, so decodable).
    pub fn new(panel: &'a Panel, table: &'a FreqTable, params: &'a LrParams, fixed: Fixed<'a>) -> Self {
        let fixed_is_child = !matches!(fixed, Fixed::Parent(_));
        let sides = (0..panel.width()).map(|c| panel.alleles_at(c) + 1).collect();
        DuoScorer {
            inner: Scorer::new(panel, table, params, Kind::Duo, fixed),
            fixed_is_child,
            sides,
            tables: Vec::new(),
            by_key: HashMap::default(),
        }
    }

    /// Binds the fixed side's codes (two per column).
    pub fn bind(&self, fixed: &[u8], bound: &mut Bound) {
        self.bind_with(|c| fixed.get(c * 2..c * 2 + 2).map(|f| [f[0], f[1]]), bound);
    }

    /// Binds the fixed side, whose codes `fixed(column)` gives.
    pub fn bind_with(&self, fixed: impl Fn(usize) -> Option<[u8; 2]>, bound: &mut Bound) {
        bound.columns.clear();
        for &c in &self.inner.order {
            if let Some(f) = fixed(c).filter(|f| f[0] != MISSING) {
                bound.columns.push((c, f, [NO_TABLE; 3]));
            }
        }
    }

    /// The score against the varying side, whose codes `varying(column)` gives (two per
    /// column; [`MISSING`] first code = not typed). `sex` is the alleged parent's sex key
    /// when the varying side is the parent (ignored otherwise).
    #[inline]
    pub fn score(&mut self, bound: &mut Bound, sex: u8, mut varying: impl FnMut(usize) -> [u8; 2]) -> Score {
        let sex = if self.fixed_is_child { sex } else { 0 };
        let mut s = Score { cpi: 1.0, inconsistent_loci: 0, shared_loci: 0 };
        for (c, f, tables) in bound.columns.iter_mut() {
            let v = varying(*c);
            if v[0] == MISSING {
                continue;
            }
            let side = self.sides[*c];
            let t = match tables[sex as usize] {
                NO_TABLE => {
                    let key = u64::from_le_bytes([*c as u8, f[0], f[1], sex, 0, 0, 0, 0]);
                    let t = *self.by_key.entry(key).or_insert_with(|| {
                        self.tables.push(vec![UNFILLED; side * side].into_boxed_slice());
                        (self.tables.len() - 1) as u32
                    });
                    tables[sex as usize] = t;
                    t
                }
                t => t,
            };
            let slot = usize::from(v[0]) * side + usize::from(v[1]);
            let mut e = self.tables[t as usize][slot];
            if e == UNFILLED {
                let (child, parent) = if self.fixed_is_child { (*f, v) } else { (v, *f) };
                e = pack(self.inner.compute(*c, &child, &parent, sex));
                self.tables[t as usize][slot] = e;
            }
            if e != SKIPPED {
                let x = f64::from_bits(e);
                s.cpi *= x.abs();
                s.inconsistent_loci += u32::from(x.is_sign_negative());
                s.shared_loci += 1;
            }
        }
        s
    }
}

/// Codes of a query profile, two per column (a single allele leaves the second empty),
/// [`UNSEEN`] for alleles the index has never stored.
pub fn query_codes(panel: &Panel, profile: &Profile) -> Vec<u8> {
    let mut codes = vec![MISSING; panel.width() * 2];
    for c in 0..panel.width() {
        let locus = panel.locus(c);
        if let Some(g) = profile.loci.get(locus)
            && Panel::is_comparable(locus, g)
        {
            let (a, b) = g.alleles();
            codes[c * 2] = panel.code(c, a);
            codes[c * 2 + 1] = b.map_or(MISSING, |b| panel.code(c, b));
        }
    }
    codes
}
