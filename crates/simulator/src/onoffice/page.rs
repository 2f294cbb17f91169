//! The "enterprise" page and its static assets, all compiled into the binary
//! so the simulator runs without any files next to it.

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::Json;
use serde_json::json;

const INDEX: &str = include_str!("../../assets/index.html");
const SCRIPT: &str = include_str!("../../assets/simulator.js");
const STYLE: &str = include_str!("../../assets/simulator.css");

/// Only our own script and style; the service may come from any web origin
/// (storefront and callback URLs are configurable).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                   img-src 'self' data:; frame-src http: https:; object-src 'none'; \
                   base-uri 'none'; form-action 'none'";

pub async fn index(State(config): crate::State) -> impl IntoResponse {
    let html = INDEX
        .replace("{{STOREFRONT_ORIGIN}}", &escape_html(&config.storefront_origin()))
        .replace("{{STOREFRONT}}", &escape_html(config.storefront.as_str()));
    ([(header::CONTENT_SECURITY_POLICY, CSP), (header::CACHE_CONTROL, "no-store")], Html(html))
}

pub async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

pub async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

/// Lets scripts and tests learn the setup without scraping the page.
pub async fn config(State(config): crate::State) -> Json<serde_json::Value> {
    Json(json!({
        "storefront": config.storefront.as_str(),
        "storefrontOrigin": config.storefront_origin(),
    }))
}

/// The configured URL is the only text put into the page on the server side.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
