//! Where a tip came from.

use serde::{Deserialize, Serialize};

use crate::divisions::DivisionCode;
use crate::ids::UnitId;

/// Places whose staff must report suspected harm to minors (强制报告): they meet children
/// and strangers daily and are often the first to notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MandatoryReporter {
    School,
    Hospital,
    Hotel,
    /// 社区网格员: the grid worker of a residential community.
    CommunityGrid,
}

impl MandatoryReporter {
    pub const ALL: [MandatoryReporter; 4] = [
        MandatoryReporter::School,
        MandatoryReporter::Hospital,
        MandatoryReporter::Hotel,
        MandatoryReporter::CommunityGrid,
    ];

    pub fn id(self) -> &'static str {
        match self {
            MandatoryReporter::School => "school",
            MandatoryReporter::Hospital => "hospital",
            MandatoryReporter::Hotel => "hotel",
            MandatoryReporter::CommunityGrid => "community_grid",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MandatoryReporter::School => "学校",
            MandatoryReporter::Hospital => "医院",
            MandatoryReporter::Hotel => "旅馆",
            MandatoryReporter::CommunityGrid => "社区网格",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            MandatoryReporter::School => "school",
            MandatoryReporter::Hospital => "hospital",
            MandatoryReporter::Hotel => "hotel",
            MandatoryReporter::CommunityGrid => "community grid",
        }
    }
}

/// How a tip reached the police.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "from")]
pub enum TipSource {
    /// The public web form (网上举报).
    PublicWebForm,
    /// The reporting phone line (举报电话).
    PhoneLine,
    /// In person at a police station (来访).
    WalkIn,
    /// By letter (来信).
    Letter,
    /// A mandatory reporter unit (强制报告单位).
    MandatoryReporter(MandatoryReporter),
    /// Another member unit of the joint conference, or any other unit of the city.
    OtherUnit(UnitId),
    /// Police or a joint conference of another region (外地通报), by its division.
    OtherRegion(DivisionCode),
}

impl TipSource {
    /// Stable id of the kind of source, for statistics and storage.
    pub fn kind_id(&self) -> &'static str {
        match self {
            TipSource::PublicWebForm => "public_web_form",
            TipSource::PhoneLine => "phone_line",
            TipSource::WalkIn => "walk_in",
            TipSource::Letter => "letter",
            TipSource::MandatoryReporter(_) => "mandatory_reporter",
            TipSource::OtherUnit(_) => "other_unit",
            TipSource::OtherRegion(_) => "other_region",
        }
    }

    pub fn label_zh(&self) -> String {
        match self {
            TipSource::PublicWebForm => "网上举报".to_owned(),
            TipSource::PhoneLine => "举报电话".to_owned(),
            TipSource::WalkIn => "来访举报".to_owned(),
            TipSource::Letter => "来信举报".to_owned(),
            TipSource::MandatoryReporter(m) => format!("强制报告（{}）", m.label_zh()),
            TipSource::OtherUnit(_) => "其他单位移送".to_owned(),
            TipSource::OtherRegion(_) => "外地通报".to_owned(),
        }
    }

    pub fn label_en(&self) -> String {
        match self {
            TipSource::PublicWebForm => "public web form".to_owned(),
            TipSource::PhoneLine => "reporting phone line".to_owned(),
            TipSource::WalkIn => "walk-in".to_owned(),
            TipSource::Letter => "letter".to_owned(),
            TipSource::MandatoryReporter(m) => format!("mandatory reporter ({})", m.label_en()),
            TipSource::OtherUnit(_) => "other unit".to_owned(),
            TipSource::OtherRegion(_) => "other region".to_owned(),
        }
    }

    /// Whether a member of the public made the report; the others come from institutions
    /// that have their own duty to report and can be asked back.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            TipSource::PublicWebForm | TipSource::PhoneLine | TipSource::WalkIn | TipSource::Letter
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_have_distinct_ids_and_labels() {
        let sources = [
            TipSource::PublicWebForm,
            TipSource::PhoneLine,
            TipSource::WalkIn,
            TipSource::Letter,
            TipSource::MandatoryReporter(MandatoryReporter::Hotel),
            TipSource::OtherUnit(UnitId::new("civil_affairs")),
            TipSource::OtherRegion(DivisionCode::parse("440300").unwrap()),
        ];
        let ids: std::collections::HashSet<_> = sources.iter().map(TipSource::kind_id).collect();
        assert_eq!(ids.len(), sources.len());
        let zh: std::collections::HashSet<_> = sources.iter().map(TipSource::label_zh).collect();
        assert_eq!(zh.len(), sources.len());
        assert_eq!(sources[4].label_zh(), "强制报告（旅馆）");
        assert_eq!(sources[4].label_en(), "mandatory reporter (hotel)");
        assert_eq!(sources.iter().filter(|s| s.is_public()).count(), 4);
    }

    #[test]
    fn mandatory_reporters_have_distinct_ids() {
        let ids: std::collections::HashSet<_> =
            MandatoryReporter::ALL.iter().map(|m| m.id()).collect();
        assert_eq!(ids.len(), 4);
        assert!(
            MandatoryReporter::ALL
                .iter()
                .all(|m| !m.label_zh().is_empty() && !m.label_en().is_empty())
        );
    }

    #[test]
    fn serialises_with_a_kind_tag() {
        let json = serde_json::to_string(&TipSource::MandatoryReporter(
            MandatoryReporter::CommunityGrid,
        ))
        .unwrap();
        assert_eq!(
            json,
            r#"{"kind":"mandatory_reporter","from":"community_grid"}"#
        );
        let back: TipSource = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back,
            TipSource::MandatoryReporter(MandatoryReporter::CommunityGrid)
        );
    }
}
