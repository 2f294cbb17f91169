//! The Content-Security-Policy exactly, directive by directive: who may frame each host's
//! pages, and which inline scripts run (hashes computed outside the code, with
//! `printf %s '<script body>' | openssl dgst -sha256 -binary | base64`).

use crate::common::*;
use marktstand::server::config::{Config, DEFAULT_ALLOWED_ORIGINS};
use std::collections::BTreeMap;

/// The two bootstraps in `crate::common::INDEX` and `crate::common::BACK_OFFICE`.
const INDEX_HASH: &str = "'sha256-T+ylCkYq0767Isr1Nq0O+gUk6Htau7LxkEACEvlTOAE='";
const BACK_OFFICE_HASH: &str = "'sha256-vi65d0642W1jDfgdPKh/XP+PGEX2O9WwKln/sBS/ViA='";

/// Directive → its sources, in order.
fn directives(csp: &str) -> BTreeMap<String, Vec<String>> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace().map(str::to_string);
            (words.next().unwrap(), words.collect())
        })
        .collect()
}

fn policy(frame_ancestors: &[&str], scripts: &[&str]) -> BTreeMap<String, Vec<String>> {
    let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut script_src = list(&["'self'", "'wasm-unsafe-eval'"]);
    script_src.extend(list(scripts));
    BTreeMap::from([
        ("default-src".into(), list(&["'self'"])),
        ("script-src".into(), script_src),
        ("style-src".into(), list(&["'self'"])),
        ("img-src".into(), list(&["'self'", "data:"])),
        ("connect-src".into(), list(&["'self'"])),
        ("object-src".into(), list(&["'none'"])),
        ("base-uri".into(), list(&["'none'"])),
        ("form-action".into(), list(&["'self'"])),
        ("frame-ancestors".into(), list(frame_ancestors)),
    ])
}

async fn csp_of(base: &str, path: &str) -> BTreeMap<String, Vec<String>> {
    let res = reqwest::get(format!("{base}{path}")).await.unwrap();
    directives(res.headers()["content-security-policy"].to_str().unwrap())
}

#[tokio::test]
async fn every_onoffice_page_has_exactly_the_policy() {
    let server = start().await;
    let expected =
        policy(&["https://crm.onoffice.de", "https://crm-beta.onoffice.de"], &[INDEX_HASH, BACK_OFFICE_HASH]);
    for path in ["/", "/orders/callback", "/activate", "/healthz", "/no-such-file.js"] {
        assert_eq!(csp_of(&server.base, path).await, expected, "{path}");
    }
    // The back office's sign-in is framed by nobody, onOffice included.
    let admin = policy(&["'none'"], &[INDEX_HASH, BACK_OFFICE_HASH]);
    assert_eq!(csp_of(&server.base, "/admin").await, admin);
    let res = reqwest::get(format!("{}/admin", server.base)).await.unwrap();
    assert_eq!(res.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn the_default_origins_are_onoffice_s_live_and_beta_clients() {
    let mut a = args(&temp_db());
    a.allowed_origins = DEFAULT_ALLOWED_ORIGINS.into();
    let server = start_config(Config::from_args(a).unwrap()).await;
    let csp = csp_of(&server.base, "/").await;
    assert_eq!(
        csp["frame-ancestors"],
        vec!["https://crm.onoffice.de", "https://crm-beta.onoffice.de"],
        "smart.onoffice.de was retired in November 2025"
    );
}

#[tokio::test]
async fn the_kolibri24_widget_is_framed_by_kolibri24_only() {
    let server = start().await;
    // A refused call (no parameters): the 401 page allows nothing but being framed.
    let refused = csp_of(&server.base, "/kolibri24/widget").await;
    let expected = BTreeMap::from([
        ("default-src".to_string(), vec!["'none'".to_string()]),
        (
            "frame-ancestors".to_string(),
            vec!["https://kolibri24.com".to_string(), "https://*.kolibri24.com".to_string()],
        ),
    ]);
    assert_eq!(refused, expected, "kolibri24.com itself too: `*.` does not cover it");
}

#[tokio::test]
async fn the_kolibri24_widget_sets_the_x_frame_options_kolibri24_asks_for() {
    // Kolibri24: the X-Frame-Options "must be set" so the widget can be framed in its domain.
    let server = start().await;
    let client = reqwest::Client::new();
    let url = format!("{}/kolibri24/widget", server.base);
    let xfo = |res: reqwest::Response| res.headers()["x-frame-options"].to_str().unwrap().to_string();
    let framed_by = |referer: &'static str| client.get(&url).header("referer", referer).send();
    assert_eq!(
        xfo(framed_by("https://app.kolibri24.com/objects/42").await.unwrap()),
        "ALLOW-FROM https://app.kolibri24.com"
    );
    assert_eq!(xfo(framed_by("https://kolibri24.com/").await.unwrap()), "ALLOW-FROM https://kolibri24.com");
    assert_eq!(xfo(framed_by("https://evil.example/").await.unwrap()), "ALLOW-FROM https://kolibri24.com");
    assert_eq!(xfo(reqwest::get(&url).await.unwrap()), "ALLOW-FROM https://kolibri24.com");
}
