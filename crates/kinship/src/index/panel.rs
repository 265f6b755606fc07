//! Locus columns and per-locus allele codes.
//!
//! The index stores one byte per allele: each autosomal locus becomes a column and each
//! allele seen at that locus a code from 1 to 254 (0 is "missing", 255 is reserved for
//! query alleles the index has never stored). Codes are handed out on first sight and
//! never reused, so a code read from any snapshot decodes the same way forever.
//!
//! What cannot go into a column is kept exactly beside the record instead (see
//! [`Encoded::extras`]): sex markers, genotypes with an off-ladder allele, loci beyond
//! [`MAX_COLUMNS`] and alleles beyond a full column. Those never take part in the
//! rejection pass, which only ever makes it keep more records, and they are restored
//! when a record is rebuilt for the exact likelihood ratio.

use std::collections::HashMap;

use crate::allele::Allele;
use crate::locus::is_sex_marker;
use crate::profile::Genotype;

use super::kernel::{MISSING, UNSEEN};

/// Most locus columns an index keeps (128 bytes per person at most).
pub const MAX_COLUMNS: usize = 64;
/// Most distinct alleles per locus column.
pub const MAX_CODES: usize = (UNSEEN - 1) as usize;

#[derive(Debug, Clone, Default)]
struct Column {
    locus: String,
    alleles: Vec<Allele>,
    codes: HashMap<Allele, u8>,
}

/// The locus columns of an index and their allele codes.
#[derive(Debug, Clone, Default)]
pub struct Panel {
    columns: Vec<Column>,
    by_locus: HashMap<String, usize>,
}

/// A person's genotypes as the index stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// Two codes per column, column-major, as wide as the panel after encoding.
    pub codes: Vec<u8>,
    /// Genotypes kept beside the record because they have no column codes.
    pub extras: Vec<(String, Genotype)>,
}

impl Panel {
    pub fn width(&self) -> usize {
        self.columns.len()
    }

    pub fn locus(&self, column: usize) -> &str {
        &self.columns[column].locus
    }

    pub fn column(&self, locus: &str) -> Option<usize> {
        self.by_locus.get(locus).copied()
    }

    /// Distinct alleles stored at a column.
    pub fn alleles_at(&self, column: usize) -> usize {
        self.columns[column].alleles.len()
    }

    /// The code of an allele at a column, [`UNSEEN`] if it was never stored.
    pub fn code(&self, column: usize, allele: Allele) -> u8 {
        self.columns[column].codes.get(&allele).copied().unwrap_or(UNSEEN)
    }

    /// The allele behind a stored code (never [`MISSING`] or [`UNSEEN`]).
    pub fn allele(&self, column: usize, code: u8) -> Allele {
        self.columns[column].alleles[usize::from(code) - 1]
    }

    /// Whether a genotype at a locus can take part in the rejection pass at all.
    pub fn is_comparable(locus: &str, genotype: &Genotype) -> bool {
        !is_sex_marker(locus) && !genotype.has_off_ladder()
    }

    fn column_or_insert(&mut self, locus: &str) -> Option<usize> {
        if let Some(&c) = self.by_locus.get(locus) {
            return Some(c);
        }
        if self.columns.len() >= MAX_COLUMNS {
            return None;
        }
        let c = self.columns.len();
        self.columns.push(Column { locus: locus.to_owned(), ..Column::default() });
        self.by_locus.insert(locus.to_owned(), c);
        Some(c)
    }

    fn code_or_insert(&mut self, column: usize, allele: Allele) -> Option<u8> {
        let col = &mut self.columns[column];
        if let Some(&code) = col.codes.get(&allele) {
            return Some(code);
        }
        if col.alleles.len() >= MAX_CODES {
            return None;
        }
        col.alleles.push(allele);
        let code = col.alleles.len() as u8;
        col.codes.insert(allele, code);
        Some(code)
    }

    /// Encodes a person's genotypes with the columns and codes that exist, or `None` if
    /// encoding needs a new column or code (then [`Panel::encode`] on a private copy).
    pub fn lookup<'a>(&self, loci: impl IntoIterator<Item = (&'a String, &'a Genotype)>) -> Option<Encoded> {
        let mut codes = vec![MISSING; self.width() * 2];
        let mut extras = Vec::new();
        for (locus, genotype) in loci {
            let column = match self.by_locus.get(locus.as_str()) {
                Some(&c) if Self::is_comparable(locus, genotype) => c,
                None if Self::is_comparable(locus, genotype) && self.columns.len() < MAX_COLUMNS => return None,
                _ => {
                    extras.push((locus.clone(), *genotype));
                    continue;
                }
            };
            let col = &self.columns[column];
            let known = |a: Allele| col.codes.get(&a).copied();
            let full = col.alleles.len() >= MAX_CODES;
            let (a, b) = genotype.alleles();
            let pair = match (known(a), b.map(known)) {
                (Some(ca), None) => [ca, MISSING],
                (Some(ca), Some(Some(cb))) => [ca, cb],
                _ if full => {
                    extras.push((locus.clone(), *genotype));
                    continue;
                }
                _ => return None,
            };
            codes[column * 2..column * 2 + 2].copy_from_slice(&pair);
        }
        Some(Encoded { codes, extras })
    }

    /// Encodes a person's genotypes, adding columns and codes as needed.
    pub fn encode<'a>(&mut self, loci: impl IntoIterator<Item = (&'a String, &'a Genotype)>) -> Encoded {
        let mut placed: Vec<(usize, [u8; 2])> = Vec::new();
        let mut extras = Vec::new();
        for (locus, genotype) in loci {
            match self.place(locus, genotype) {
                Some(p) => placed.push(p),
                None => extras.push((locus.clone(), *genotype)),
            }
        }
        let mut codes = vec![MISSING; self.width() * 2];
        for (c, pair) in placed {
            codes[c * 2..c * 2 + 2].copy_from_slice(&pair);
        }
        Encoded { codes, extras }
    }

    fn place(&mut self, locus: &str, genotype: &Genotype) -> Option<(usize, [u8; 2])> {
        if !Self::is_comparable(locus, genotype) {
            return None;
        }
        let column = self.column_or_insert(locus)?;
        let pair = match *genotype {
            Genotype::Two(a, b) => [self.code_or_insert(column, a)?, self.code_or_insert(column, b)?],
            Genotype::Single(a) => [self.code_or_insert(column, a)?, MISSING],
        };
        Some((column, pair))
    }

    /// Rebuilds genotypes from a record's codes (two per column, column-major).
    pub fn decode(&self, codes: &[u8]) -> Vec<(String, Genotype)> {
        codes
            .chunks_exact(2)
            .enumerate()
            .filter(|(_, pair)| pair[0] != MISSING)
            .map(|(c, pair)| {
                let a = self.allele(c, pair[0]);
                let g = match pair[1] {
                    MISSING => Genotype::Single(a),
                    b => Genotype::new(a, self.allele(c, b)),
                };
                (self.columns[c].locus.clone(), g)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn loci(text: &str) -> BTreeMap<String, Genotype> {
        text.split(';')
            .map(|e| {
                let (l, g) = e.split_once('=').unwrap();
                (l.to_owned(), g.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn round_trips_and_keeps_what_has_no_column_aside() {
        let mut panel = Panel::default();
        let a = loci("D3S1358=15,16;vWA=14;TH01=9.3,9.3;FGA=OL,22;Amelogenin=X,Y");
        assert_eq!(panel.lookup(&a), None);
        let enc = panel.encode(&a);
        assert_eq!(panel.width(), 3);
        assert_eq!(enc.codes.len(), 6);
        let mut back: BTreeMap<String, Genotype> = panel.decode(&enc.codes).into_iter().collect();
        back.extend(enc.extras.iter().cloned());
        assert_eq!(back, a);
        assert_eq!(enc.extras.len(), 2);
        assert_eq!(panel.lookup(&a).as_ref(), Some(&enc));

        let b = loci("vWA=14,18;D3S1358=15");
        assert_eq!(panel.lookup(&b), None);
        let enc_b = panel.encode(&b);
        let back_b: BTreeMap<String, Genotype> = panel.decode(&enc_b.codes).into_iter().collect();
        assert_eq!(back_b, b);
        // Codes are stable: the first person decodes the same after the panel grew.
        let again: BTreeMap<String, Genotype> = panel.decode(&enc.codes).into_iter().collect();
        assert_eq!(again.len(), 3);
        assert_eq!(panel.code(0, "99".parse().unwrap()), UNSEEN);
    }

    #[test]
    fn a_full_column_sends_new_alleles_aside() {
        let mut panel = Panel::default();
        for t in 0..MAX_CODES as u16 {
            let g = Genotype::Single(Allele::from_tenths(t).unwrap());
            let enc = panel.encode(&loci(&format!("SE33={g}")));
            assert!(enc.extras.is_empty());
        }
        let over = loci("SE33=900.1");
        let enc = panel.encode(&over);
        assert_eq!(panel.lookup(&over).as_ref(), Some(&enc));
        assert_eq!(enc.extras.len(), 1);
        assert_eq!(enc.codes, vec![MISSING, MISSING]);
    }
}
