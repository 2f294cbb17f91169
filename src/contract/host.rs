//! The hosts: the CRMs the storefront runs inside (onOffice, Kolibri24) and the e-signature
//! service it hears from (Oneflow).

use serde::{Deserialize, Serialize};

crate::codes! {
    /// A host we run inside or hear from; stored as its [`code`](Host::code). Each has its folder
    /// under `server/hosts/`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Host ("host") {
        OnOffice = "onoffice",
        Kolibri24 = "kolibri24",
        Oneflow = "oneflow",
    }
}
