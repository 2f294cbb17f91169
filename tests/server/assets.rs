//! Static assets as a returning agent's browser gets them: the build's precompressed brotli or
//! gzip file as accepted, hashed files cached for good, anything else revalidated, pages never.
//! Answers made per request: compressed only when large enough for it to matter.

use crate::common::*;
use marktstand::server::config::Config;
use marktstand::server::routes::COMPRESS_ABOVE;

/// What Chromium sends.
const BROWSER: &str = "gzip, deflate, br, zstd";

async fn get(base: &str, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(accept) = accept {
        req = req.header("accept-encoding", accept);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn hashed_assets_come_precompressed_and_cached_for_good() {
    let root = crate::common::scratch_dir("assets");
    std::fs::create_dir_all(root.join("public/images")).unwrap();
    let wasm = "app-0123456789abcdef_bg.wasm";
    std::fs::write(root.join(wasm), "the module").unwrap();
    std::fs::write(root.join(format!("{wasm}.br")), "brotli bytes").unwrap();
    std::fs::write(root.join(format!("{wasm}.gz")), "gzip bytes").unwrap();
    std::fs::write(root.join("public/images/plan.svg"), "<svg/>").unwrap();
    let mut a = args(&temp_db());
    a.site_root = root.to_string_lossy().into_owned();
    let server = start_with(a).await;

    for (accept, encoding, body) in [
        (Some("br, gzip"), Some("br"), "brotli bytes"),
        (Some("gzip"), Some("gzip"), "gzip bytes"),
        (None, None, "the module"),
    ] {
        let res = get(&server.base, &format!("/{wasm}"), accept).await;
        assert_eq!(res.status(), 200);
        let h = res.headers().clone();
        assert_eq!(h.get("content-encoding").map(|v| v.to_str().unwrap()), encoding, "{accept:?}");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        // Streaming compilation (`instantiateStreaming`) refuses any other type in every engine.
        assert_eq!(h["content-type"], "application/wasm", "{accept:?}");
        if accept.is_some() {
            assert!(h["vary"].to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"));
        }
        assert_eq!(res.text().await.unwrap(), body);
    }
    let image = get(&server.base, "/public/images/plan.svg", None).await;
    assert_eq!(image.headers()["cache-control"], "no-cache", "not hashed: revalidated");
    let page = get(&server.base, "/", Some("br")).await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    let _ = std::fs::remove_dir_all(&root);
}

#[tokio::test]
async fn answers_made_per_request_are_compressed_only_when_large() {
    let mut a = args(&temp_db());
    a.metrics_token = Some("metrics-token".into());
    let server = start_config(Config::from_args(a).unwrap()).await;
    let client = reqwest::Client::new();

    // A launch answer fits in a few packets: it goes as it is, not through brotli per launch.
    let launch = client
        .post(format!("{}/api/launch", server.base))
        .header("content-type", "text/plain;charset=UTF-8")
        .header("accept-encoding", BROWSER)
        .body(signed_query(PARAMS, SECRET, now()))
        .send()
        .await
        .unwrap();
    assert_eq!(launch.status(), 200);
    assert_eq!(launch.headers().get("content-encoding"), None);
    assert!(launch.bytes().await.unwrap().len() <= COMPRESS_ABOVE as usize);
    // The page, compressed once at start.
    let page = get(&server.base, "/", Some(BROWSER)).await;
    assert_eq!(page.headers()["content-encoding"], "br");
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");

    // A large answer still travels compressed: the metrics, once a few routes have their
    // request-time histograms.
    for path in ["/healthz", "/readyz", "/admin"] {
        assert!(get(&server.base, path, None).await.status().is_success(), "{path}");
    }
    let scrape = |accept: Option<&'static str>| {
        let mut req = client.get(format!("{}/metrics", server.base)).bearer_auth("metrics-token");
        if let Some(accept) = accept {
            req = req.header("accept-encoding", accept);
        }
        req.send()
    };
    let plain = scrape(None).await.unwrap().bytes().await.unwrap();
    assert!(plain.len() > COMPRESS_ABOVE as usize, "metrics are large: {} bytes", plain.len());
    let packed = scrape(Some(BROWSER)).await.unwrap();
    assert_eq!(packed.headers()["content-encoding"], "br");
    let packed = packed.bytes().await.unwrap();
    assert!(packed.len() < plain.len() / 2, "{} of {} bytes", packed.len(), plain.len());
}
