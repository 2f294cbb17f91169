//! The hosts: the CRMs the storefront runs inside (onOffice, Kolibri24) and the e-signature
//! service it hears from (Oneflow).

use serde::{Deserialize, Serialize};

/// A host we run inside or hear from; stored as its [`code`](Host::code). Each has its folder
/// under `server/hosts/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Host {
    OnOffice,
    Kolibri24,
    Oneflow,
}

impl Host {
    pub const ALL: [Host; 3] = [Host::OnOffice, Host::Kolibri24, Host::Oneflow];

    pub fn code(self) -> &'static str {
        match self {
            Host::OnOffice => "onoffice",
            Host::Kolibri24 => "kolibri24",
            Host::Oneflow => "oneflow",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Host::ALL.into_iter().find(|h| h.code() == code)
    }
}

impl TryFrom<String> for Host {
    type Error = String;
    fn try_from(code: String) -> Result<Self, String> {
        Host::from_code(&code).ok_or_else(|| format!("unknown host `{code}`"))
    }
}
