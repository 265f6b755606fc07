//! The joint conference (联席会议) against trafficking in women and children and its 24
//! member units, with the duties the action plan assigns to each.
//!
//! The city Public Security Bureau leads: its deputy director in charge convenes the
//! conference, and the conference office sits in the bureau, run by the head of the
//! criminal investigation detachment. Every member unit names one liaison (联络员) to the
//! office. The Chinese duties are the plan's own words, one paragraph per unit, in the
//! plan's order; the English is a translation of them.

/// A member unit of the joint conference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberUnit {
    /// Stable ASCII slug, used as the unit's id: `psb`, `civil-affairs`, …
    pub id: &'static str,
    /// The name as the plan writes it, e.g. 市公安局.
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The unit's duties, verbatim from the plan.
    pub duties_zh: &'static str,
    /// A faithful English translation of `duties_zh`.
    pub duties_en: &'static str,
    /// The lead unit (牵头单位): convenes the conference and hosts its office.
    pub lead: bool,
}

/// The id of the lead unit, the Public Security Bureau.
pub const LEAD_UNIT_ID: &str = "psb";

/// The 24 member units, in the plan's order.
pub static MEMBER_UNITS: [MemberUnit; 24] = [
    MemberUnit {
        id: "psb",
        name_zh: "市公安局",
        name_en: "Municipal Public Security Bureau",
        duties_zh: "加强公安机关各警种间的分工与配合,加强与各部门的沟通与合作,及时掌握拐卖妇女儿童犯罪动态,采取有效措施严厉打击、有效预防拐卖妇女儿童犯罪,积极解救、送返被拐卖妇女儿童,切实维护妇女儿童合法权益。",
        duties_en: "Strengthen the division of labour and cooperation among the police branches and communication and cooperation with other departments; keep informed in good time of the trends in crimes of trafficking in women and children; take effective measures to crack down severely on such crimes and prevent them effectively; actively rescue trafficked women and children and send them home; and earnestly safeguard the lawful rights and interests of women and children.",
        lead: true,
    },
    MemberUnit {
        id: "propaganda",
        name_zh: "市委宣传部",
        name_en: "Publicity Department of the Municipal Party Committee",
        duties_zh: "负责反拐工作政策、法律宣传,引导社会舆论。",
        duties_en: "Responsible for publicising anti-trafficking policies and laws and for guiding public opinion.",
        lead: false,
    },
    MemberUnit {
        id: "governance-office",
        name_zh: "市综治办",
        name_en: "Municipal Comprehensive Governance Office",
        duties_zh: "协助组织综合治理,促进社会各部门各单位切实参与预防拐卖妇女儿童犯罪工作。",
        duties_en: "Assist in organising comprehensive governance, and promote the real participation of all departments and units of society in the work of preventing crimes of trafficking in women and children.",
        lead: false,
    },
    MemberUnit {
        id: "foreign-affairs",
        name_zh: "市外事侨务办",
        name_en: "Municipal Foreign and Overseas Chinese Affairs Office",
        duties_zh: "负责通过国家对口部分加强与相关国家和地区、有关政府间国际组织和国际非政府组织的合作,并通过双边及多边渠道加强反拐国际交流与合作。",
        duties_en: "Responsible for strengthening cooperation, through the corresponding national departments, with the countries and regions concerned and with the relevant intergovernmental and international non-governmental organisations, and for strengthening international anti-trafficking exchange and cooperation through bilateral and multilateral channels.",
        lead: false,
    },
    MemberUnit {
        id: "development-reform",
        name_zh: "市发改委",
        name_en: "Municipal Development and Reform Commission",
        duties_zh: "负责将妇女儿童发展和权益保护列入全市中长期发展规划,并在规划中体现反拐行动的内容。",
        duties_en: "Responsible for including the development of women and children and the protection of their rights and interests in the city's medium- and long-term development plans, and for reflecting anti-trafficking action in those plans.",
        lead: false,
    },
    MemberUnit {
        id: "education",
        name_zh: "市教育局",
        name_en: "Municipal Education Bureau",
        duties_zh: "保障儿童受教育权利,加强儿童自我保护、性别平等和法律意识的教育和培养。",
        duties_en: "Safeguard children's right to education, and strengthen children's education and upbringing in self-protection, gender equality and awareness of the law.",
        lead: false,
    },
    MemberUnit {
        id: "civil-affairs",
        name_zh: "市民政局",
        name_en: "Municipal Civil Affairs Bureau",
        duties_zh: "对陷入困境的被拐卖对象予以帮助、救助。",
        duties_en: "Give help and relief to trafficked persons who have fallen into hardship.",
        lead: false,
    },
    MemberUnit {
        id: "justice",
        name_zh: "市司法局",
        name_en: "Municipal Justice Bureau",
        duties_zh: "加强有关保护妇女儿童合法权益法律法规的宣传,建立健全法律援助体系,为保护妇女儿童合法权益提供法律服务,做好拐卖妇女儿童类犯罪的监管教育改造工作。",
        duties_en: "Strengthen publicity of the laws and regulations that protect the lawful rights and interests of women and children; establish and improve the legal aid system and provide legal services to protect those rights and interests; and carry out the supervision, education and reform of offenders convicted of trafficking in women and children.",
        lead: false,
    },
    MemberUnit {
        id: "finance",
        name_zh: "市财政局",
        name_en: "Municipal Finance Bureau",
        duties_zh: "负责为预防、打击拐卖妇女儿童行为提供必要的工作经费支持,监督工作经费的管理和使用。",
        duties_en: "Responsible for providing the necessary funding for preventing and combating trafficking in women and children, and for supervising the management and use of that funding.",
        lead: false,
    },
    MemberUnit {
        id: "personnel",
        name_zh: "市人事局",
        name_en: "Municipal Personnel Bureau",
        duties_zh: "依照有关法律法规和规章,加强人才市场管理,规范各类人才求职、用人单位招聘和人才中介活动,加强对人才交流中介活动的监管,维护人才市场秩序。",
        duties_en: "In accordance with the relevant laws, regulations and rules, strengthen the management of the talent market; regulate job seeking by professionals of all kinds, recruitment by employers and talent agency activities; strengthen supervision of talent exchange agencies; and maintain order in the talent market.",
        lead: false,
    },
    MemberUnit {
        id: "labour",
        name_zh: "市劳动保障局",
        name_en: "Municipal Labour and Social Security Bureau",
        duties_zh: "负责保护女性在就业、培训、劳动报酬等方面的权益;消除性别歧视,实现男女平等就业;禁止使用童工;规范职业介绍机构,加大劳动保障执法力度。",
        duties_en: "Responsible for protecting women's rights and interests in employment, training, pay and related matters; eliminating gender discrimination and achieving equal employment for men and women; prohibiting the use of child labour; and regulating job placement agencies and stepping up labour and social security law enforcement.",
        lead: false,
    },
    MemberUnit {
        id: "transport",
        name_zh: "市交通局",
        name_en: "Municipal Transport Bureau",
        duties_zh: "配合公安等部门在汽车站、客轮港站开展反拐宣传工作,为被拐卖妇女儿童解救工作提供交通便利,并对被解救妇女儿童提供公路水路交通援助。",
        duties_en: "Work with the public security and other departments to carry out anti-trafficking publicity at bus stations and passenger ferry terminals; provide transport facilities for the rescue of trafficked women and children; and provide road and waterway transport assistance to rescued women and children.",
        lead: false,
    },
    MemberUnit {
        id: "agriculture",
        name_zh: "市农业局",
        name_en: "Municipal Agriculture Bureau",
        duties_zh: "负责做好农村妇女的农业技术培训工作,努力提高农村妇女的劳动技能;实施阳光工程,进行劳动力转移培训,提高农村劳动力的就业技能,促进有序转移,实现稳定就业和增收。",
        duties_en: "Responsible for agricultural technical training for rural women and for striving to raise their working skills; implementing the Sunshine Project to train rural labour for transfer to other work, raising the employment skills of the rural workforce, and promoting orderly transfer so that they find stable employment and earn more.",
        lead: false,
    },
    MemberUnit {
        id: "commerce",
        name_zh: "市商务局",
        name_en: "Municipal Commerce Bureau",
        duties_zh: "负责在女性劳务输出与培训方面统一部署,加强监督、指导、协调。",
        duties_en: "Responsible for unified planning of the export of female labour and of its training, and for strengthening supervision, guidance and coordination.",
        lead: false,
    },
    MemberUnit {
        id: "culture",
        name_zh: "市文化局",
        name_en: "Municipal Culture Bureau",
        duties_zh: "负责组织形式多样的宣传活动,提高妇女儿童反拐意识、识别犯罪和自我保护的能力。",
        duties_en: "Responsible for organising publicity activities in varied forms to raise women's and children's awareness of trafficking and their ability to recognise crime and protect themselves.",
        lead: false,
    },
    MemberUnit {
        id: "health",
        name_zh: "市卫生局",
        name_en: "Municipal Health Bureau",
        duties_zh: "负责组织被解救妇女儿童的康复治疗和健康服务。",
        duties_en: "Responsible for organising rehabilitative treatment and health services for rescued women and children.",
        lead: false,
    },
    MemberUnit {
        id: "family-planning",
        name_zh: "市人口计生委",
        name_en: "Municipal Population and Family Planning Commission",
        duties_zh: "开展救助计划生育贫困母亲活动和“关爱女孩行动”,打击“两非”违法行为,促进出生人口性别比平衡。",
        duties_en: "Carry out the programme of relief for poor mothers who follow family planning and the \"Care for Girls\" campaign; crack down on the \"two illegal practices\" (non-medical foetal sex identification and sex-selective termination of pregnancy); and promote a balanced sex ratio at birth.",
        lead: false,
    },
    MemberUnit {
        id: "industry-commerce",
        name_zh: "市工商局",
        name_en: "Municipal Administration for Industry and Commerce",
        duties_zh: "配合公安、劳动保障等部门,加强人力资源市场管理。依法规范各类经营企业用工行为。",
        duties_en: "Work with the public security, labour and social security and other departments to strengthen the management of the human resources market, and regulate the employment practices of all kinds of businesses in accordance with the law.",
        lead: false,
    },
    MemberUnit {
        id: "radio-tv",
        name_zh: "市广电局",
        name_en: "Municipal Radio and Television Bureau",
        duties_zh: "配合有关部门,积极开展有关保护妇女儿童权益和反拐的宣传、教育活动。",
        duties_en: "Work with the departments concerned to carry out actively publicity and education on protecting the rights and interests of women and children and on combating trafficking.",
        lead: false,
    },
    MemberUnit {
        id: "legal-affairs",
        name_zh: "市政府法制办",
        name_en: "Legal Affairs Office of the Municipal Government",
        duties_zh: "负责相关规范性文件的制定和修订工作,为预防、打击拐卖妇女儿童犯罪及被解救妇女儿童救助和康复工作提供依据。",
        duties_en: "Responsible for drafting and revising the relevant normative documents, so as to provide a basis for preventing and combating crimes of trafficking in women and children and for the relief and rehabilitation of rescued women and children.",
        lead: false,
    },
    MemberUnit {
        id: "poverty-alleviation",
        name_zh: "市扶贫办",
        name_en: "Municipal Poverty Alleviation Office",
        duties_zh: "负责组织全市贫困地区的扶贫开发,加大针对贫困妇女儿童的项目扶持力度,进一步缓解妇女儿童的贫困程度,降低贫困地区妇女儿童的贫困发生率。",
        duties_en: "Responsible for organising poverty alleviation and development in the city's poor areas; increasing project support aimed at poor women and children; further easing the poverty of women and children; and reducing the incidence of poverty among women and children in poor areas.",
        lead: false,
    },
    MemberUnit {
        id: "trade-unions",
        name_zh: "市总工会",
        name_en: "Municipal Federation of Trade Unions",
        duties_zh: "依法维护女农民工合法权益,为困难、单亲女农民工提供帮扶救助。",
        duties_en: "Protect the lawful rights and interests of female migrant workers in accordance with the law, and give help and relief to female migrant workers in hardship and to those who are single parents.",
        lead: false,
    },
    MemberUnit {
        id: "youth-league",
        name_zh: "团市委",
        name_en: "Municipal Committee of the Communist Youth League",
        duties_zh: "组织形式多样的宣传活动,提高青少年的自我保护能力;开展针对青少年的心理咨询和维护服务,维护青少年的合法权益。",
        duties_en: "Organise publicity activities in varied forms to improve young people's ability to protect themselves; provide psychological counselling and protection services for young people; and safeguard their lawful rights and interests.",
        lead: false,
    },
    MemberUnit {
        id: "womens-federation",
        name_zh: "市妇联",
        name_en: "Municipal Women's Federation",
        duties_zh: "组织发动妇女积极投身经济建设,参与推动保护妇女儿童法律、法规及政策的制定和完善,依法维护妇女儿童合法权益。",
        duties_en: "Organise and mobilise women to take an active part in economic development; take part in promoting the formulation and improvement of laws, regulations and policies that protect women and children; and safeguard the lawful rights and interests of women and children in accordance with the law.",
        lead: false,
    },
];

/// The member unit with this id.
pub fn member_unit(id: &str) -> Option<&'static MemberUnit> {
    MEMBER_UNITS.iter().find(|u| u.id == id)
}

/// The lead unit (the Public Security Bureau).
pub fn lead_unit() -> &'static MemberUnit {
    &MEMBER_UNITS[0]
}

impl MemberUnit {
    pub fn unit_id(&self) -> crate::ids::UnitId {
        crate::ids::UnitId::new(self.id)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const PLAN: &str = include_str!("../../../data/seed/action-plan-2009.txt");

    #[test]
    fn twenty_four_units_with_unique_ids_and_duties_in_both_languages() {
        assert_eq!(MEMBER_UNITS.len(), 24);
        let ids: HashSet<_> = MEMBER_UNITS.iter().map(|u| u.id).collect();
        assert_eq!(ids.len(), 24);
        let names: HashSet<_> = MEMBER_UNITS.iter().map(|u| u.name_zh).collect();
        assert_eq!(names.len(), 24);
        for u in &MEMBER_UNITS {
            assert!(!u.duties_zh.trim().is_empty(), "{}", u.id);
            assert!(!u.duties_en.trim().is_empty(), "{}", u.id);
            assert!(!u.name_en.trim().is_empty(), "{}", u.id);
            assert!(
                u.id.len() >= 2 && u.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not a slug",
                u.id
            );
            assert!(
                u.duties_en.is_ascii(),
                "{}: the translation should be plain English",
                u.id
            );
        }
    }

    #[test]
    fn the_public_security_bureau_alone_leads() {
        let leads: Vec<_> = MEMBER_UNITS
            .iter()
            .filter(|u| u.lead)
            .map(|u| u.id)
            .collect();
        assert_eq!(leads, [LEAD_UNIT_ID]);
        assert_eq!(lead_unit().name_zh, "市公安局");
        assert_eq!(
            member_unit("womens-federation").map(|u| u.name_zh),
            Some("市妇联")
        );
        assert_eq!(
            member_unit("civil-affairs").map(|u| u.name_zh),
            Some("市民政局")
        );
        assert!(member_unit("nobody").is_none());
    }

    /// The duties are the plan's paragraphs, complete and in order: joined back together
    /// they are exactly the plan's section on duties.
    #[test]
    fn duties_are_the_plan_verbatim() {
        let start = PLAN.find("共同推进全市反拐工作。").unwrap() + "共同推进全市反拐工作。".len();
        let end = PLAN.find("四、具体任务").unwrap();
        let section = PLAN[start..end].trim();
        let rebuilt: Vec<String> = MEMBER_UNITS
            .iter()
            .map(|u| format!("{}:{}", u.name_zh, u.duties_zh))
            .collect();
        assert_eq!(section, rebuilt.join(" "));
    }
}
