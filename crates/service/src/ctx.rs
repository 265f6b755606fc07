//! Who is asking, from where, in which language.

use fanguai_domain::role::Role;
use serde::Serialize;

/// Facts about one request that the audit log records. Built by the web layer.
#[derive(Debug, Clone, Default)]
pub struct RequestCtx {
    pub request_id: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestCtx {
    /// A context for actions started from the command line.
    pub fn cli(what: &str) -> Self {
        Self {
            request_id: format!("cli-{what}-{}", uuid::Uuid::now_v7()),
            ip: None,
            user_agent: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh-cn" | "zh" | "zh-hans" => Some(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// The signed-in user as pages show them. The display name is the user's own (staff
/// see their own name); other people's names reach pages only through masked views.
#[derive(Debug, Clone, Serialize)]
pub struct ActorView {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub unit_id: String,
    pub unit_name_zh: String,
    pub unit_name_en: String,
    pub roles: Vec<Role>,
}
