//! What a case is, in the words of Chinese criminal law and of the international
//! definition, so that figures can be reported to both.
//!
//! Chinese law (Criminal Law art. 240) defines trafficking of women and children by six
//! acts — 拐骗, 绑架, 收买, 贩卖, 接送, 中转 — done for the purpose of selling; a child is
//! anyone under 14, a woman a female aged 14 or more. The Palermo protocol (UN Trafficking
//! in Persons Protocol, 2000, art. 3) defines trafficking by an act, a means and a purpose
//! of exploitation; for a child (under 18) the means need not be shown. Statistics by sex,
//! age and form of exploitation use the second view, the courts the first.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ids::Sex;
use crate::mask;

/// The articles of the Criminal Law under which trafficking and its neighbouring crimes
/// are registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriminalArticle {
    /// 第二百三十四条之一 组织出卖人体器官罪.
    OrganSale234_1,
    /// 第二百三十九条 绑架罪.
    Kidnapping239,
    /// 第二百四十条 拐卖妇女、儿童罪.
    Trafficking240,
    /// 第二百四十一条 收买被拐卖的妇女、儿童罪.
    Buying241,
    /// 第二百四十二条 聚众阻碍解救被收买的妇女、儿童罪.
    ObstructingRescue242,
    /// 第二百四十四条 强迫劳动罪.
    ForcedLabour244,
    /// 第二百六十二条 拐骗儿童罪.
    ChildAbduction262,
    /// 第二百六十二条之一 组织残疾人、儿童乞讨罪.
    OrganisedBegging262_1,
    /// 第二百六十二条之二 组织未成年人进行违反治安管理活动罪.
    OrganisingMinors262_2,
    /// 第三百五十八条 组织卖淫罪、强迫卖淫罪.
    Prostitution358,
    /// 第三百五十九条 引诱、容留、介绍卖淫罪；引诱幼女卖淫罪.
    Procuring359,
}

impl CriminalArticle {
    pub const ALL: [CriminalArticle; 11] = [
        CriminalArticle::OrganSale234_1,
        CriminalArticle::Kidnapping239,
        CriminalArticle::Trafficking240,
        CriminalArticle::Buying241,
        CriminalArticle::ObstructingRescue242,
        CriminalArticle::ForcedLabour244,
        CriminalArticle::ChildAbduction262,
        CriminalArticle::OrganisedBegging262_1,
        CriminalArticle::OrganisingMinors262_2,
        CriminalArticle::Prostitution358,
        CriminalArticle::Procuring359,
    ];

    /// The article's number as cited: `240`, `262-1`.
    pub fn number(self) -> &'static str {
        match self {
            CriminalArticle::OrganSale234_1 => "234-1",
            CriminalArticle::Kidnapping239 => "239",
            CriminalArticle::Trafficking240 => "240",
            CriminalArticle::Buying241 => "241",
            CriminalArticle::ObstructingRescue242 => "242",
            CriminalArticle::ForcedLabour244 => "244",
            CriminalArticle::ChildAbduction262 => "262",
            CriminalArticle::OrganisedBegging262_1 => "262-1",
            CriminalArticle::OrganisingMinors262_2 => "262-2",
            CriminalArticle::Prostitution358 => "358",
            CriminalArticle::Procuring359 => "359",
        }
    }

    /// The article as cited in Chinese: 第二百四十条.
    pub fn number_zh(self) -> &'static str {
        match self {
            CriminalArticle::OrganSale234_1 => "第二百三十四条之一",
            CriminalArticle::Kidnapping239 => "第二百三十九条",
            CriminalArticle::Trafficking240 => "第二百四十条",
            CriminalArticle::Buying241 => "第二百四十一条",
            CriminalArticle::ObstructingRescue242 => "第二百四十二条",
            CriminalArticle::ForcedLabour244 => "第二百四十四条",
            CriminalArticle::ChildAbduction262 => "第二百六十二条",
            CriminalArticle::OrganisedBegging262_1 => "第二百六十二条之一",
            CriminalArticle::OrganisingMinors262_2 => "第二百六十二条之二",
            CriminalArticle::Prostitution358 => "第三百五十八条",
            CriminalArticle::Procuring359 => "第三百五十九条",
        }
    }

    /// The name of the crime (罪名).
    pub fn name_zh(self) -> &'static str {
        match self {
            CriminalArticle::OrganSale234_1 => "组织出卖人体器官罪",
            CriminalArticle::Kidnapping239 => "绑架罪",
            CriminalArticle::Trafficking240 => "拐卖妇女、儿童罪",
            CriminalArticle::Buying241 => "收买被拐卖的妇女、儿童罪",
            CriminalArticle::ObstructingRescue242 => "聚众阻碍解救被收买的妇女、儿童罪",
            CriminalArticle::ForcedLabour244 => "强迫劳动罪",
            CriminalArticle::ChildAbduction262 => "拐骗儿童罪",
            CriminalArticle::OrganisedBegging262_1 => "组织残疾人、儿童乞讨罪",
            CriminalArticle::OrganisingMinors262_2 => "组织未成年人进行违反治安管理活动罪",
            CriminalArticle::Prostitution358 => "组织卖淫罪、强迫卖淫罪",
            CriminalArticle::Procuring359 => "引诱、容留、介绍卖淫罪",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CriminalArticle::OrganSale234_1 => "organising the sale of human organs",
            CriminalArticle::Kidnapping239 => "kidnapping",
            CriminalArticle::Trafficking240 => "abducting and trafficking women or children",
            CriminalArticle::Buying241 => "buying abducted and trafficked women or children",
            CriminalArticle::ObstructingRescue242 => {
                "gathering a crowd to obstruct the rescue of bought women or children"
            }
            CriminalArticle::ForcedLabour244 => "forced labour",
            CriminalArticle::ChildAbduction262 => "abducting a child from its family or guardian",
            CriminalArticle::OrganisedBegging262_1 => {
                "organising disabled persons or children to beg"
            }
            CriminalArticle::OrganisingMinors262_2 => {
                "organising minors to commit acts against public security administration"
            }
            CriminalArticle::Prostitution358 => "organising or forcing prostitution",
            CriminalArticle::Procuring359 => "luring, sheltering or introducing prostitution",
        }
    }

    /// Whether the article is one of the trafficking crimes proper (240–242), which the
    /// clearance rate of the action plan is about.
    pub fn is_trafficking(self) -> bool {
        matches!(
            self,
            CriminalArticle::Trafficking240
                | CriminalArticle::Buying241
                | CriminalArticle::ObstructingRescue242
        )
    }
}

impl fmt::Display for CriminalArticle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "art. {} ({})", self.number(), self.name_en())
    }
}

/// The six acts of art. 240; any one of them, done for the purpose of selling, is
/// trafficking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraffickingAct {
    /// 拐骗: taking away by deceit or enticement.
    Abducting,
    /// 绑架: taking by force, threat or drugging.
    Kidnapping,
    /// 收买: buying.
    Buying,
    /// 贩卖: selling.
    Selling,
    /// 接送: picking up and delivering.
    Delivering,
    /// 中转: relaying through a transit point.
    Transiting,
}

impl TraffickingAct {
    pub const ALL: [TraffickingAct; 6] = [
        TraffickingAct::Abducting,
        TraffickingAct::Kidnapping,
        TraffickingAct::Buying,
        TraffickingAct::Selling,
        TraffickingAct::Delivering,
        TraffickingAct::Transiting,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            TraffickingAct::Abducting => "拐骗",
            TraffickingAct::Kidnapping => "绑架",
            TraffickingAct::Buying => "收买",
            TraffickingAct::Selling => "贩卖",
            TraffickingAct::Delivering => "接送",
            TraffickingAct::Transiting => "中转",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            TraffickingAct::Abducting => "abducting by deceit",
            TraffickingAct::Kidnapping => "kidnapping",
            TraffickingAct::Buying => "buying",
            TraffickingAct::Selling => "selling",
            TraffickingAct::Delivering => "picking up and delivering",
            TraffickingAct::Transiting => "relaying in transit",
        }
    }

    /// The protocol's act that this Chinese act is an instance of.
    pub fn palermo_act(self) -> PalermoAct {
        match self {
            TraffickingAct::Abducting | TraffickingAct::Kidnapping => PalermoAct::Recruitment,
            TraffickingAct::Buying => PalermoAct::Receipt,
            TraffickingAct::Selling => PalermoAct::Transfer,
            TraffickingAct::Delivering => PalermoAct::Transportation,
            TraffickingAct::Transiting => PalermoAct::Harbouring,
        }
    }

    /// The means the act itself shows, if any: deceit for 拐骗, abduction for 绑架.
    pub fn implied_means(self) -> Option<PalermoMeans> {
        match self {
            TraffickingAct::Abducting => Some(PalermoMeans::Deception),
            TraffickingAct::Kidnapping => Some(PalermoMeans::Abduction),
            _ => None,
        }
    }
}

/// The acts of the Palermo protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PalermoAct {
    Recruitment,
    Transportation,
    Transfer,
    Harbouring,
    Receipt,
}

impl PalermoAct {
    pub fn name_zh(self) -> &'static str {
        match self {
            PalermoAct::Recruitment => "招募",
            PalermoAct::Transportation => "运送",
            PalermoAct::Transfer => "转移",
            PalermoAct::Harbouring => "窝藏",
            PalermoAct::Receipt => "接收",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            PalermoAct::Recruitment => "recruitment",
            PalermoAct::Transportation => "transportation",
            PalermoAct::Transfer => "transfer",
            PalermoAct::Harbouring => "harbouring",
            PalermoAct::Receipt => "receipt",
        }
    }
}

/// The means of the Palermo protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PalermoMeans {
    ThreatOrForce,
    Coercion,
    Abduction,
    Fraud,
    Deception,
    AbuseOfPowerOrVulnerability,
    /// Giving or receiving payments to a person having control over the victim.
    Payment,
}

impl PalermoMeans {
    pub fn name_zh(self) -> &'static str {
        match self {
            PalermoMeans::ThreatOrForce => "威胁或使用暴力",
            PalermoMeans::Coercion => "胁迫",
            PalermoMeans::Abduction => "绑架",
            PalermoMeans::Fraud => "欺诈",
            PalermoMeans::Deception => "欺骗",
            PalermoMeans::AbuseOfPowerOrVulnerability => "滥用权力或利用脆弱境况",
            PalermoMeans::Payment => "向控制者给付或收受钱财",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            PalermoMeans::ThreatOrForce => "threat or use of force",
            PalermoMeans::Coercion => "coercion",
            PalermoMeans::Abduction => "abduction",
            PalermoMeans::Fraud => "fraud",
            PalermoMeans::Deception => "deception",
            PalermoMeans::AbuseOfPowerOrVulnerability => {
                "abuse of power or of a position of vulnerability"
            }
            PalermoMeans::Payment => "giving or receiving payments",
        }
    }
}

/// The purpose: the form of exploitation. Statistics are reported by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExploitationForm {
    Sexual,
    Labour,
    ForcedMarriage,
    Begging,
    OrganRemoval,
    IllegalAdoption,
    Other,
}

impl ExploitationForm {
    pub const ALL: [ExploitationForm; 7] = [
        ExploitationForm::Sexual,
        ExploitationForm::Labour,
        ExploitationForm::ForcedMarriage,
        ExploitationForm::Begging,
        ExploitationForm::OrganRemoval,
        ExploitationForm::IllegalAdoption,
        ExploitationForm::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ExploitationForm::Sexual => "sexual",
            ExploitationForm::Labour => "labour",
            ExploitationForm::ForcedMarriage => "forced_marriage",
            ExploitationForm::Begging => "begging",
            ExploitationForm::OrganRemoval => "organ_removal",
            ExploitationForm::IllegalAdoption => "illegal_adoption",
            ExploitationForm::Other => "other",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            ExploitationForm::Sexual => "性剥削",
            ExploitationForm::Labour => "劳动剥削",
            ExploitationForm::ForcedMarriage => "强迫婚姻",
            ExploitationForm::Begging => "强迫乞讨",
            ExploitationForm::OrganRemoval => "摘取器官",
            ExploitationForm::IllegalAdoption => "非法收养",
            ExploitationForm::Other => "其他",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            ExploitationForm::Sexual => "sexual exploitation",
            ExploitationForm::Labour => "forced labour",
            ExploitationForm::ForcedMarriage => "forced marriage",
            ExploitationForm::Begging => "forced begging",
            ExploitationForm::OrganRemoval => "organ removal",
            ExploitationForm::IllegalAdoption => "illegal adoption",
            ExploitationForm::Other => "other",
        }
    }
}

/// The legal category of a victim at the time of the crime (最高人民法院《关于审理拐卖
/// 妇女儿童犯罪案件具体应用法律若干问题的解释》, 2016, art. 9: a child is under 14; an
/// infant under 1; a toddler from 1 to under 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VictimCategory {
    /// 婴儿: under 1.
    Infant,
    /// 幼儿: from 1 to under 6.
    Toddler,
    /// 儿童: from 6 to under 14 (infants and toddlers are children too; see
    /// [`VictimCategory::is_child`]).
    Child,
    /// 妇女: a female aged 14 or more.
    Woman,
    /// A male aged 14 or more: not a victim under art. 240, but of forced labour and
    /// other crimes, and counted by the international view.
    Man,
}

impl VictimCategory {
    pub fn is_child(self) -> bool {
        matches!(
            self,
            VictimCategory::Infant | VictimCategory::Toddler | VictimCategory::Child
        )
    }

    /// Whether art. 240 (trafficking of women and children) protects this person.
    pub fn protected_by_art_240(self) -> bool {
        self != VictimCategory::Man
    }

    pub fn id(self) -> &'static str {
        match self {
            VictimCategory::Infant => "infant",
            VictimCategory::Toddler => "toddler",
            VictimCategory::Child => "child",
            VictimCategory::Woman => "woman",
            VictimCategory::Man => "man",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            VictimCategory::Infant => "婴儿",
            VictimCategory::Toddler => "幼儿",
            VictimCategory::Child => "儿童",
            VictimCategory::Woman => "妇女",
            VictimCategory::Man => "男性（已满十四周岁）",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            VictimCategory::Infant => "infant (under 1)",
            VictimCategory::Toddler => "toddler (1 to under 6)",
            VictimCategory::Child => "child (6 to under 14)",
            VictimCategory::Woman => "woman (14 and over)",
            VictimCategory::Man => "male (14 and over)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VictimCategoryError {
    #[error("the birth date lies after the date of the crime")]
    BornAfterEvent,
}

impl VictimCategoryError {
    pub fn code(&self) -> &'static str {
        match self {
            VictimCategoryError::BornAfterEvent => "victim.born_after_event",
        }
    }
}

/// The victim's category on the day of the crime. Ages are in completed years: a girl
/// is a child until the day before her 14th birthday.
pub fn victim_category(
    birth: Date,
    event: Date,
    sex: Sex,
) -> Result<VictimCategory, VictimCategoryError> {
    let age = mask::age(birth, event).ok_or(VictimCategoryError::BornAfterEvent)?;
    Ok(category_of_age(age, sex))
}

pub(crate) fn category_of_age(age: u16, sex: Sex) -> VictimCategory {
    match (age, sex) {
        (0, _) => VictimCategory::Infant,
        (1..=5, _) => VictimCategory::Toddler,
        (6..=13, _) => VictimCategory::Child,
        (_, Sex::Female) => VictimCategory::Woman,
        (_, Sex::Male) => VictimCategory::Man,
    }
}

/// A case's classification: the article, and the facts both views need.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Classification {
    /// `None` until the investigator has chosen an article (a missing-person report may
    /// be registered before the crime is known).
    pub article: Option<CriminalArticle>,
    pub acts: Vec<TraffickingAct>,
    pub means: Vec<PalermoMeans>,
    pub exploitation: Vec<ExploitationForm>,
    /// The case began as a report that a person is missing (失踪): the fast-track rule
    /// for children and girls applies.
    pub missing_person_report: bool,
}

impl Classification {
    /// The protocol's acts, from the Chinese acts, without repeats.
    pub fn palermo_acts(&self) -> Vec<PalermoAct> {
        let mut out: Vec<PalermoAct> = self.acts.iter().map(|a| a.palermo_act()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The recorded means together with those the acts imply, without repeats.
    pub fn palermo_means(&self) -> Vec<PalermoMeans> {
        let mut out: Vec<PalermoMeans> = self
            .means
            .iter()
            .copied()
            .chain(self.acts.iter().filter_map(|a| a.implied_means()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Whether the recorded facts meet the protocol's definition for a victim of this
    /// category: an act and a purpose of exploitation, and a means unless the victim is
    /// under 18 (`minor`).
    pub fn meets_palermo_definition(&self, minor: bool) -> bool {
        !self.acts.is_empty()
            && !self.exploitation.is_empty()
            && (minor || !self.palermo_means().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn categories_at_the_edges() {
        let birth = date!(2020 - 06 - 15);
        let cat = |event, sex| victim_category(birth, event, sex).unwrap();
        assert_eq!(
            cat(date!(2020 - 06 - 15), Sex::Male),
            VictimCategory::Infant
        );
        assert_eq!(
            cat(date!(2021 - 06 - 14), Sex::Male),
            VictimCategory::Infant
        );
        assert_eq!(
            cat(date!(2021 - 06 - 15), Sex::Male),
            VictimCategory::Toddler
        );
        assert_eq!(
            cat(date!(2026 - 06 - 14), Sex::Female),
            VictimCategory::Toddler
        );
        assert_eq!(
            cat(date!(2026 - 06 - 15), Sex::Female),
            VictimCategory::Child
        );
        assert_eq!(
            cat(date!(2034 - 06 - 14), Sex::Female),
            VictimCategory::Child
        );
        assert_eq!(
            cat(date!(2034 - 06 - 15), Sex::Female),
            VictimCategory::Woman
        );
        assert_eq!(cat(date!(2034 - 06 - 15), Sex::Male), VictimCategory::Man);
        assert_eq!(
            victim_category(birth, date!(2020 - 06 - 14), Sex::Male),
            Err(VictimCategoryError::BornAfterEvent)
        );
    }

    #[test]
    fn leap_day_birthdays() {
        let birth = date!(2020 - 02 - 29);
        assert_eq!(
            victim_category(birth, date!(2021 - 02 - 28), Sex::Male).unwrap(),
            VictimCategory::Infant
        );
        assert_eq!(
            victim_category(birth, date!(2021 - 03 - 01), Sex::Male).unwrap(),
            VictimCategory::Toddler
        );
    }

    #[test]
    fn category_predicates() {
        assert!(VictimCategory::Infant.is_child());
        assert!(VictimCategory::Toddler.is_child());
        assert!(VictimCategory::Child.is_child());
        assert!(!VictimCategory::Woman.is_child());
        assert!(VictimCategory::Woman.protected_by_art_240());
        assert!(!VictimCategory::Man.protected_by_art_240());
    }

    #[test]
    fn articles_have_distinct_numbers_and_names() {
        let n: std::collections::HashSet<_> =
            CriminalArticle::ALL.iter().map(|a| a.number()).collect();
        assert_eq!(n.len(), CriminalArticle::ALL.len());
        let zh: std::collections::HashSet<_> =
            CriminalArticle::ALL.iter().map(|a| a.name_zh()).collect();
        assert_eq!(zh.len(), CriminalArticle::ALL.len());
        assert_eq!(CriminalArticle::Trafficking240.number_zh(), "第二百四十条");
        assert_eq!(
            CriminalArticle::Trafficking240.name_zh(),
            "拐卖妇女、儿童罪"
        );
        assert_eq!(
            CriminalArticle::Trafficking240.to_string(),
            "art. 240 (abducting and trafficking women or children)"
        );
        assert_eq!(
            CriminalArticle::ALL
                .iter()
                .filter(|a| a.is_trafficking())
                .count(),
            3
        );
    }

    #[test]
    fn palermo_view() {
        let c = Classification {
            article: Some(CriminalArticle::Trafficking240),
            acts: vec![
                TraffickingAct::Abducting,
                TraffickingAct::Selling,
                TraffickingAct::Kidnapping,
            ],
            means: vec![PalermoMeans::Deception],
            exploitation: vec![ExploitationForm::ForcedMarriage],
            missing_person_report: false,
        };
        assert_eq!(
            c.palermo_acts(),
            vec![PalermoAct::Recruitment, PalermoAct::Transfer]
        );
        assert_eq!(
            c.palermo_means(),
            vec![PalermoMeans::Abduction, PalermoMeans::Deception]
        );
        assert!(c.meets_palermo_definition(false));

        // Buying alone shows no means: an adult's case needs one recorded, a child's does not.
        let bought = Classification {
            acts: vec![TraffickingAct::Buying],
            exploitation: vec![ExploitationForm::IllegalAdoption],
            ..Classification::default()
        };
        assert!(!bought.meets_palermo_definition(false));
        assert!(bought.meets_palermo_definition(true));
        // No purpose recorded: not trafficking in the protocol's sense.
        let no_purpose = Classification {
            acts: vec![TraffickingAct::Selling],
            ..Classification::default()
        };
        assert!(!no_purpose.meets_palermo_definition(true));
    }
}
