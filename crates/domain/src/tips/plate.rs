//! Mainland Chinese vehicle plates (GA 36): what reporters write down and what links cases.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::fold_full_width;

/// The one-character abbreviations of the 31 mainland provinces as used on plates.
const PROVINCES: &str = "京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新";

/// Letters on plates never include I or O, which read as 1 and 0.
fn is_plate_letter(c: char) -> bool {
    c.is_ascii_uppercase() && c != 'I' && c != 'O'
}

fn is_serial_char(c: char) -> bool {
    is_plate_letter(c) || c.is_ascii_digit()
}

/// Third character of a small new-energy plate: D and its later additions A, B, C, E for
/// pure electric; F and G, H, J, K for the others.
fn is_nev_small_marker(c: char) -> bool {
    matches!(c, 'D' | 'A' | 'B' | 'C' | 'E' | 'F' | 'G' | 'H' | 'J' | 'K')
}

/// Separators people put inside plates: `湘B·12345`, `湘B 12345`, `湘B-12345`.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '·' | '•' | '・' | '-' | '.' | '\u{3000}')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlateKind {
    /// Blue or yellow plate: province, authority letter, five letters or digits.
    Ordinary,
    /// Green plate of a small new-energy vehicle: the serial starts with D/F (or A–K).
    NewEnergySmall,
    /// Green-yellow plate of a large new-energy vehicle: the serial ends with D or F.
    NewEnergyLarge,
    /// 挂: trailer.
    Trailer,
    /// 学: driving-school car.
    Coach,
    /// 警: police.
    Police,
    /// 港 / 澳: a Guangdong plate of a cross-border vehicle from Hong Kong or Macau.
    HongKongMacau,
}

/// Why a text is not a plate. Positions count characters from 1 in the plate with
/// separators removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlateError {
    #[error("the plate is empty")]
    Empty,
    #[error("a plate starts with a province's abbreviation such as 湘, found {found:?}")]
    Province { found: char },
    #[error(
        "the second character of a plate is the issuing authority's letter (A–Z without I and O), found {found:?}"
    )]
    Authority { found: char },
    #[error(
        "after the province and the letter, a plate has 5 characters (6 for new-energy vehicles), found {found}"
    )]
    Length { found: usize },
    #[error(
        "character {position} of the plate is {found:?}; plates use digits and letters without I and O"
    )]
    Character { position: usize, found: char },
    #[error(
        "a new-energy plate has D or F (or A–K) first and four digits last, or five digits and then D or F"
    )]
    NewEnergyFormat,
}

impl PlateError {
    pub fn code(&self) -> &'static str {
        match self {
            PlateError::Empty => "plate.empty",
            PlateError::Province { .. } => "plate.province",
            PlateError::Authority { .. } => "plate.authority",
            PlateError::Length { .. } => "plate.length",
            PlateError::Character { .. } => "plate.character",
            PlateError::NewEnergyFormat => "plate.new_energy_format",
        }
    }
}

/// A plate as issued: `湘B12345`, `湘BD12345`, `粤Z1234港`. Linkable to a vehicle's
/// owner, so `Debug` shows only the province, authority and last two characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VehiclePlate {
    /// Canonical: no separators, upper case.
    text: String,
    kind: PlateKind,
}

impl VehiclePlate {
    /// Accepts lower case, full-width forms and separators (`湘b·12345`).
    pub fn parse(s: &str) -> Result<VehiclePlate, PlateError> {
        let chars: Vec<char> = s
            .chars()
            .map(|c| fold_full_width(c).to_ascii_uppercase())
            .filter(|&c| !is_separator(c) && !c.is_whitespace())
            .collect();
        let (&province, rest) = chars.split_first().ok_or(PlateError::Empty)?;
        if !PROVINCES.contains(province) {
            return Err(PlateError::Province { found: province });
        }
        let (&authority, serial) = rest.split_first().ok_or(PlateError::Length { found: 0 })?;
        if !is_plate_letter(authority) {
            return Err(PlateError::Authority { found: authority });
        }
        let kind = match serial.len() {
            5 => classify_five(serial)?,
            6 => classify_new_energy(serial)?,
            found => return Err(PlateError::Length { found }),
        };
        Ok(VehiclePlate {
            text: chars.into_iter().collect(),
            kind,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> PlateKind {
        self.kind
    }

    /// The province abbreviation the plate was issued under.
    pub fn province(&self) -> char {
        self.text.chars().next().unwrap_or_default()
    }

    /// `湘B***45`.
    pub fn masked(&self) -> String {
        let c: Vec<char> = self.text.chars().collect();
        let n = c.len();
        format!(
            "{}{}{}{}",
            c[0],
            c[1],
            "*".repeat(n - 4),
            c[n - 2..].iter().collect::<String>()
        )
    }
}

/// Five characters after the authority letter: an ordinary serial, or four and a suffix.
fn classify_five(serial: &[char]) -> Result<PlateKind, PlateError> {
    let (&last, head) = serial.split_last().unwrap_or((&' ', &[]));
    for (i, &c) in head.iter().enumerate() {
        if !is_serial_char(c) {
            return Err(PlateError::Character {
                position: i + 3,
                found: c,
            });
        }
    }
    let kind = match last {
        '挂' => PlateKind::Trailer,
        '学' => PlateKind::Coach,
        '警' => PlateKind::Police,
        '港' | '澳' => PlateKind::HongKongMacau,
        c if is_serial_char(c) => PlateKind::Ordinary,
        c => {
            return Err(PlateError::Character {
                position: 7,
                found: c,
            });
        }
    };
    Ok(kind)
}

fn classify_new_energy(serial: &[char]) -> Result<PlateKind, PlateError> {
    for (i, &c) in serial.iter().enumerate() {
        if !is_serial_char(c) {
            return Err(PlateError::Character {
                position: i + 3,
                found: c,
            });
        }
    }
    let digits = |s: &[char]| s.iter().all(char::is_ascii_digit);
    if is_nev_small_marker(serial[0]) && is_serial_char(serial[1]) && digits(&serial[2..]) {
        Ok(PlateKind::NewEnergySmall)
    } else if digits(&serial[..5]) && matches!(serial[5], 'D' | 'F') {
        Ok(PlateKind::NewEnergyLarge)
    } else {
        Err(PlateError::NewEnergyFormat)
    }
}

impl fmt::Debug for VehiclePlate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VehiclePlate({})", self.masked())
    }
}

impl Serialize for VehiclePlate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for VehiclePlate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        VehiclePlate::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn kind(s: &str) -> PlateKind {
        VehiclePlate::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .kind()
    }

    #[test]
    fn accepts_the_plate_kinds() {
        assert_eq!(kind("湘B12345"), PlateKind::Ordinary);
        assert_eq!(kind("湘BA1B23"), PlateKind::Ordinary);
        assert_eq!(kind("京AD12345"), PlateKind::NewEnergySmall);
        assert_eq!(kind("湘BD12345"), PlateKind::NewEnergySmall);
        assert_eq!(kind("沪AFA1234"), PlateKind::NewEnergySmall);
        assert_eq!(kind("粤BA12345"), PlateKind::NewEnergySmall);
        assert_eq!(kind("粤B12345D"), PlateKind::NewEnergyLarge);
        assert_eq!(kind("湘B1234挂"), PlateKind::Trailer);
        assert_eq!(kind("湘B1234学"), PlateKind::Coach);
        assert_eq!(kind("湘B0123警"), PlateKind::Police);
        assert_eq!(kind("粤Z1234港"), PlateKind::HongKongMacau);
    }

    #[test]
    fn normalises_what_people_type() {
        for typed in [
            "湘B12345",
            "湘b12345",
            "湘B·12345",
            " 湘B 123 45 ",
            "湘Ｂ１２３４５",
            "湘B-12345",
        ] {
            assert_eq!(
                VehiclePlate::parse(typed).unwrap().as_str(),
                "湘B12345",
                "{typed}"
            );
        }
        assert_eq!(
            VehiclePlate::parse("湘b·d12345").unwrap().as_str(),
            "湘BD12345"
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(VehiclePlate::parse("  ").unwrap_err(), PlateError::Empty);
        assert_eq!(
            VehiclePlate::parse("B12345").unwrap_err(),
            PlateError::Province { found: 'B' }
        );
        assert_eq!(
            VehiclePlate::parse("株B12345").unwrap_err(),
            PlateError::Province { found: '株' }
        );
        assert_eq!(
            VehiclePlate::parse("湘").unwrap_err(),
            PlateError::Length { found: 0 }
        );
        assert_eq!(
            VehiclePlate::parse("湘I12345").unwrap_err(),
            PlateError::Authority { found: 'I' }
        );
        assert_eq!(
            VehiclePlate::parse("湘812345").unwrap_err(),
            PlateError::Authority { found: '8' }
        );
        assert_eq!(
            VehiclePlate::parse("湘B1234").unwrap_err(),
            PlateError::Length { found: 4 }
        );
        assert_eq!(
            VehiclePlate::parse("湘B1234567").unwrap_err(),
            PlateError::Length { found: 7 }
        );
        assert_eq!(
            VehiclePlate::parse("湘B12O45").unwrap_err(),
            PlateError::Character {
                position: 5,
                found: 'O'
            }
        );
        assert_eq!(
            VehiclePlate::parse("湘B1234领").unwrap_err(),
            PlateError::Character {
                position: 7,
                found: '领'
            }
        );
        assert_eq!(
            VehiclePlate::parse("湘B123456").unwrap_err(),
            PlateError::NewEnergyFormat
        );
        assert_eq!(
            VehiclePlate::parse("湘BDA1234").unwrap(),
            VehiclePlate::parse("湘BDA1234").unwrap()
        );
        assert_eq!(
            VehiclePlate::parse("湘BDAB234").unwrap_err().code(),
            "plate.new_energy_format"
        );
        assert_eq!(
            VehiclePlate::parse("湘B12345X").unwrap_err(),
            PlateError::NewEnergyFormat
        );
    }

    #[test]
    fn debug_masks_the_middle() {
        let p = VehiclePlate::parse("湘BD12345").unwrap();
        assert_eq!(format!("{p:?}"), "VehiclePlate(湘B****45)");
        assert_eq!(p.province(), '湘');
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"湘BD12345\"");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            let _ = VehiclePlate::parse(&s);
        }

        #[test]
        fn ordinary_plates_round_trip(p in 0usize..31, a in "[A-HJ-NP-Z]", serial in "[A-HJ-NP-Z0-9]{5}") {
            let prov = PROVINCES.chars().nth(p).unwrap();
            let text = format!("{prov}{a}{serial}");
            let plate = VehiclePlate::parse(&text.to_lowercase()).unwrap();
            prop_assert_eq!(plate.as_str(), text.as_str());
            prop_assert_eq!(plate.kind(), PlateKind::Ordinary);
        }
    }
}
