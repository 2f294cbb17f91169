//! The app shells: the storefront's, the back office's (provider pages and activation) and the
//! Kolibri24 widget's, each a separately built bundle, so nobody downloads the code of pages
//! they never open. Read once at start, with the CSP derived from their inline scripts, and
//! compressed once (brotli 11, gzip 9): every launch fetches its shell first, and compressing
//! 2 KB per request cost ~40 µs of brotli set-up each time (BENCHMARKS.md).

use crate::server::{headers, AppState};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use std::io::Write;

pub struct Shell {
    pub index: Page,
    pub back_office: Page,
    /// Sent with a session written in, so made per request (`hosts::kolibri24::widget`).
    pub widget_html: String,
    pub csp: HeaderValue,
    /// The back office's sign-in page (`/admin`): the same, framed by nobody (the activation
    /// page in the same bundle is framed by onOffice).
    pub admin_csp: HeaderValue,
    /// The widget's policy: Kolibri24's `frame-ancestors`, the widget bundle's script.
    pub kolibri24_csp: HeaderValue,
}

impl Shell {
    pub fn load(state: &AppState) -> Result<Self, String> {
        let root = std::path::Path::new(&state.config.site_root);
        let read = |path: std::path::PathBuf| {
            std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "cannot read {}: {e}. Build the app first (scripts/build) or set MARKTSTAND_SITE_ROOT",
                    path.display()
                )
            })
        };
        let index_html = read(root.join("index.html"))?;
        let back_office_html = read(root.join("back-office/index.html")).unwrap_or_else(|e| {
            tracing::warn!("{e}: the provider's pages and the activation iframe are unavailable");
            index_html.clone()
        });
        let widget_html = read(root.join("widget/index.html")).unwrap_or_else(|e| {
            tracing::warn!("{e}: the Kolibri24 widget is unavailable");
            index_html.clone()
        });
        Ok(Self::new(state, index_html, back_office_html, widget_html))
    }

    /// The three shells, each page's policy derived from the inline scripts of the pages it
    /// covers: the storefront's and back office's together, the widget's on its own.
    pub fn new(state: &AppState, index_html: String, back_office_html: String, widget_html: String) -> Self {
        let base = state.config.base_path();
        let [index_html, back_office_html, widget_html] =
            [index_html, back_office_html, widget_html].map(|html| under_base(html, base));
        let both = format!("{index_html}{back_office_html}");
        let csp = headers::content_security_policy(&state.config.allowed_origins, &both);
        let admin_csp = headers::content_security_policy(&["'none'".to_string()], &both);
        let kolibri24_csp = headers::content_security_policy(&state.config.kolibri24.frame_ancestors, &widget_html);
        Shell {
            index: Page::new(index_html),
            back_office: Page::new(back_office_html),
            widget_html,
            csp,
            admin_csp,
            kolibri24_csp,
        }
    }
}

/// The page for a service served under the path `base` (`""`: unchanged): the build writes
/// root-relative addresses (`src="/…"`, `'/app.js'`, `fetch('/api/launch'`, the launch
/// page's `'/'`); each gets the prefix, and the page names it for the app
/// (`<html data-base="…">`, read by `ui::base_path`). A `//` address is left alone.
pub fn under_base(html: String, base: &str) -> String {
    if base.is_empty() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html.as_str();
    while let Some(at) = rest.find(['"', '\'']) {
        let (before, from) = rest.split_at(at + 1);
        out.push_str(before);
        let quote = before.as_bytes()[at];
        let attribute_or_script = quote == b'\'' || before[..at].ends_with('=');
        if attribute_or_script && from.starts_with('/') && !from.starts_with("//") {
            out.push_str(base);
        }
        rest = from;
    }
    out.push_str(rest);
    let named = format!(" {}=\"{base}\"", crate::browser::ui::BASE_ATTRIBUTE);
    if let Some(at) = out.find("<html") {
        out.insert_str(at + "<html".len(), &named);
    }
    out
}

/// One page as sent: its HTML, and its brotli and gzip forms made once.
pub struct Page {
    html: Bytes,
    br: Bytes,
    gzip: Bytes,
}

impl Page {
    pub fn new(html: String) -> Page {
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            w.write_all(html.as_bytes()).expect("writes to memory");
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(html.as_bytes()).expect("writes to memory");
        let gzip = gz.finish().expect("writes to memory");
        Page { html: html.into(), br: br.into(), gzip: gzip.into() }
    }

    /// The page in the best form the request accepts; never cached, so a deploy takes effect
    /// at once.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let accept = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
        let (body, encoding) = if accepts(accept, "br") {
            (self.br.clone(), Some("br"))
        } else if accepts(accept, "gzip") {
            (self.gzip.clone(), Some("gzip"))
        } else {
            (self.html.clone(), None)
        };
        let mut res = Response::new(Body::from(body));
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(encoding) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        res
    }
}

/// Whether `Accept-Encoding` names `coding` with a weight above zero. Browsers name every
/// coding they take; `*` is not read, so anything unnamed gets the plain page.
fn accepts(accept: &str, coding: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        let named = parts.next().is_some_and(|name| name.trim().eq_ignore_ascii_case(coding));
        let refused = parts.any(|param| {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            key.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        });
        named && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_a_base_every_root_relative_address_gets_the_prefix() {
        let html = "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"/main-1.css\">\
            <script>if (location.pathname === '/' && x) fetch('/api/launch', {a: \"b/c\"});</script>\
            <a href=\"//cdn.example/x\">x</a><img src=\"https://a/b\"></head><body>\
            <script type=\"module\" async>import init from '/app-2.js';init({ module_or_path: '/app-2_bg.wasm' })</script></body></html>";
        let out = under_base(html.to_string(), "/mp/shop");
        for expected in [
            "<html data-base=\"/mp/shop\"><head>",
            "href=\"/mp/shop/main-1.css\"",
            "location.pathname === '/mp/shop/'",
            "fetch('/mp/shop/api/launch'",
            "from '/mp/shop/app-2.js'",
            "module_or_path: '/mp/shop/app-2_bg.wasm'",
            "href=\"//cdn.example/x\"",
            "src=\"https://a/b\"",
            "{a: \"b/c\"}",
        ] {
            assert!(out.contains(expected), "{expected} in {out}");
        }
        assert_eq!(under_base(html.to_string(), ""), html);
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=1.0, BR;q=0.5", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(!accepts("br ; q=0.000", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("", "gzip"));
        assert!(!accepts("brotli", "br"), "only the coding's own name");
    }

    #[test]
    fn a_page_is_sent_in_the_form_the_browser_takes() {
        let html = "<!DOCTYPE html><html><body>".to_string() + &"<p>Grundriss</p>".repeat(50) + "</body></html>";
        let page = Page::new(html.clone());
        for (accept, encoding) in [("gzip, deflate, br", Some("br")), ("gzip", Some("gzip")), ("identity", None)] {
            let mut request = HeaderMap::new();
            request.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(accept));
            let res = page.respond(&request);
            assert_eq!(res.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), encoding);
            assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
        }
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &page.br[..], &mut plain).unwrap();
        assert_eq!(plain, html.as_bytes());
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&page.gzip[..]), &mut plain).unwrap();
        assert_eq!(plain, html);
        assert!(page.br.len() < html.len() / 4);
    }
}
