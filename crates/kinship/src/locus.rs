//! Locus names.
//!
//! Lab exports, frequency tables and kit manuals spell the same marker in several ways
//! (`vWA`/`VWA`, `Penta D`/`PentaD`/`PENTA_D`, `TH01`/`THO1`, `Amelogenin`/`AMEL`). Every
//! name that enters the crate goes through [`locus_key`], so two profiles typed with
//! different software compare on the same keys.
//!
//! Names that are not in the list below are kept, upper-cased, with surrounding white
//! space removed and inner runs of white space collapsed to one space: an unknown marker
//! still compares with itself across files, and is never silently merged with a known
//! one.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Canonical spellings of the markers the crate knows, with the aliases that map to them.
/// Aliases are compared after [`alias_key`] (upper case, no spaces, `_`, `-` or `.`).
const LOCI: &[(&str, &[&str])] = &[
    ("Amelogenin", &["AMEL", "AMELO", "AM", "AMELOGENIN"]),
    ("APOAI1", &[]),
    ("CD4", &["HUMCD4"]),
    ("CSF1PO", &["HUMCSF1PO", "CSF1P0", "CSF"]),
    ("D1GATA113", &[]),
    ("D1S1627", &[]),
    ("D1S1656", &[]),
    ("D1S1677", &[]),
    ("D2S1338", &[]),
    ("D2S1360", &[]),
    ("D2S1776", &[]),
    ("D2S441", &[]),
    ("D3S1358", &[]),
    ("D3S1744", &[]),
    ("D3S4529", &[]),
    ("D4S2366", &[]),
    ("D4S2408", &[]),
    ("D5S2500", &[]),
    ("D5S2800", &[]),
    ("D5S818", &[]),
    ("D6S1017", &[]),
    ("D6S1043", &[]),
    ("D6S474", &[]),
    ("D6S477", &[]),
    ("D7S1517", &[]),
    ("D7S820", &[]),
    ("D8S1132", &[]),
    ("D8S1179", &[]),
    ("D9S1122", &[]),
    ("D9S925", &[]),
    ("D10S1248", &[]),
    ("D10S1435", &[]),
    ("D10S2325", &[]),
    ("D11S2368", &[]),
    ("D11S554", &[]),
    ("D12ATA63", &[]),
    ("D12S391", &[]),
    ("D13S317", &[]),
    ("D13S325", &[]),
    ("D14S1434", &[]),
    ("D15S659", &[]),
    ("D16S539", &[]),
    ("D17S1301", &[]),
    ("D17S906", &[]),
    ("D17S974", &[]),
    ("D18S51", &[]),
    ("D18S535", &[]),
    ("D19S253", &[]),
    ("D19S433", &[]),
    ("D20S1082", &[]),
    ("D20S482", &[]),
    ("D21S11", &[]),
    ("D21S2055", &[]),
    ("D22GATA198B05", &["D22-GATA198B05"]),
    ("D22S1045", &[]),
    ("DYS391", &[]),
    ("F13A01", &["HUMF13A01", "F13A1"]),
    ("F13B", &["HUMBFXIII", "F13B"]),
    ("FESFPS", &["HUMFESFPS", "FES"]),
    ("FGA", &["HUMFIBRA", "FIBRA"]),
    ("LPL", &["HUMLPL"]),
    ("Penta B", &["PENTAB"]),
    ("Penta C", &["PENTAC"]),
    ("Penta D", &["PENTAD"]),
    ("Penta E", &["PENTAE"]),
    ("SE33", &["ACTBP2", "HUMACTBP2"]),
    ("TH01", &["THO1", "HUMTH01", "HUMTHO1", "TH1"]),
    ("TPOX", &["HUMTPOX", "TP0X"]),
    ("vWA", &["VWA", "HUMVWA", "VWA31", "HUMVWA31A"]),
    ("Y indel", &["YINDEL"]),
];

/// Markers on the sex chromosomes: typed by most kits, never part of an autosomal
/// likelihood ratio.
const SEX_MARKERS: &[&str] = &["Amelogenin", "DYS391", "Y indel"];

/// Upper case without the separators people put in marker names (`PENTA_D`, `Penta-D`,
/// `Penta D`, `D22-GATA198B05`).
fn alias_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// The canonical spelling of a known locus, or `None` if the name is not a marker this
/// crate knows (see [`locus_key`] for how unknown names are kept).
pub fn canonical_locus(name: &str) -> Option<&'static str> {
    static BY_KEY: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    let by_key = BY_KEY.get_or_init(|| {
        let mut map = HashMap::new();
        for (canonical, aliases) in LOCI {
            map.insert(alias_key(canonical), *canonical);
            for alias in *aliases {
                map.insert(alias_key(alias), *canonical);
            }
        }
        map
    });
    by_key.get(&alias_key(name)).copied()
}

/// The key under which a locus is stored: the canonical name when known, otherwise the
/// name upper-cased with white space trimmed and collapsed.
pub fn locus_key(name: &str) -> Result<Cow<'static, str>, LocusError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(LocusError::Empty);
    }
    if let Some(bad) = trimmed.chars().find(|c| c.is_control() || matches!(c, ',' | ';' | '=')) {
        return Err(LocusError::BadCharacter { name: trimmed.to_owned(), found: bad });
    }
    if trimmed.chars().count() > 40 {
        return Err(LocusError::TooLong { name: trimmed.to_owned() });
    }
    if let Some(canonical) = canonical_locus(trimmed) {
        return Ok(Cow::Borrowed(canonical));
    }
    let collapsed = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(Cow::Owned(collapsed.to_uppercase()))
}

/// Whether a locus (by its stored key) sits on a sex chromosome and is left out of
/// autosomal likelihood ratios.
pub fn is_sex_marker(key: &str) -> bool {
    SEX_MARKERS.contains(&key)
}

/// All canonical locus names the crate knows, in a stable order.
pub fn known_loci() -> impl Iterator<Item = &'static str> {
    LOCI.iter().map(|(name, _)| *name)
}

/// Why a locus name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocusError {
    #[error("locus name is empty")]
    Empty,
    #[error("locus name {name:?} contains {found:?}, which cannot appear in a marker name")]
    BadCharacter { name: String, found: char },
    #[error("locus name {name:?} is longer than 40 characters")]
    TooLong { name: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_one_name() {
        for (alias, canonical) in [
            ("vWA", "vWA"),
            ("VWA", "vWA"),
            ("vwa", "vWA"),
            ("Penta D", "Penta D"),
            ("PentaD", "Penta D"),
            ("PENTA_D", "Penta D"),
            ("penta-e", "Penta E"),
            ("TH01", "TH01"),
            ("THO1", "TH01"),
            ("AMEL", "Amelogenin"),
            ("Amelogenin", "Amelogenin"),
            ("d6s1043", "D6S1043"),
            ("SE33", "SE33"),
            ("Penta_C", "Penta C"),
            ("D22-GATA198B05", "D22GATA198B05"),
        ] {
            assert_eq!(canonical_locus(alias), Some(canonical), "{alias}");
            assert_eq!(locus_key(alias).unwrap(), canonical, "{alias}");
        }
    }

    #[test]
    fn unknown_names_are_kept_upper_cased() {
        assert_eq!(canonical_locus("D99S999"), None);
        assert_eq!(locus_key("  d99s999 ").unwrap(), "D99S999");
        assert_eq!(locus_key("my   marker").unwrap(), "MY MARKER");
    }

    #[test]
    fn bad_names_are_refused() {
        assert_eq!(locus_key("  "), Err(LocusError::Empty));
        assert!(matches!(locus_key("D3=15"), Err(LocusError::BadCharacter { found: '=', .. })));
        assert!(matches!(locus_key(&"D".repeat(41)), Err(LocusError::TooLong { .. })));
    }

    #[test]
    fn sex_markers() {
        assert!(is_sex_marker(&locus_key("AMEL").unwrap()));
        assert!(is_sex_marker(&locus_key("Yindel").unwrap()));
        assert!(!is_sex_marker(&locus_key("vWA").unwrap()));
    }

    #[test]
    fn canonical_names_are_their_own_canonical_form() {
        for name in known_loci() {
            assert_eq!(canonical_locus(name), Some(name));
        }
    }
}
