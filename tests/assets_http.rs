//! Static assets as a returning agent's browser gets them: the build's precompressed brotli or
//! gzip file as accepted, hashed files cached for good, anything else revalidated, pages never.
#![cfg(feature = "ssr")]

mod common;
use common::*;

async fn get(base: &str, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(accept) = accept {
        req = req.header("accept-encoding", accept);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn hashed_assets_come_precompressed_and_cached_for_good() {
    let root = common::scratch_dir("assets");
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
