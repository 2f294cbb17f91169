//! The real binary's logs in JSON: one object a line, each request with its id (also sent
//! back as `x-request-id`), and no secret, token or `apiClaim` anywhere.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_marktstand");
const SECRET: &str = "log test provider secret";
const CLAIM: &str = "claim-must-not-be-logged";

#[tokio::test]
async fn json_logs_carry_request_ids_and_no_secrets() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("marktstand-logs");
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(BIN)
        // A port the system picks; the log says which.
        .env("MARKTSTAND_LISTEN", "127.0.0.1:0")
        .env("MARKTSTAND_PUBLIC_URL", "http://shop.test:8443/service/")
        .env("MARKTSTAND_PROVIDER_SECRET", SECRET)
        .env("MARKTSTAND_SESSION_KEY", "44".repeat(32))
        // The checkout itself: Trunk's template as the shell, the product images in public/.
        .env("MARKTSTAND_SITE_ROOT", root)
        .env("MARKTSTAND_CATALOGUE", root.join("catalogue.toml"))
        .env("MARKTSTAND_WEBHOOKS", root.join("webhooks.toml"))
        .env("MARKTSTAND_LOG_FORMAT", "json")
        .env("MARKTSTAND_KOLIBRI24_WEBHOOK_TOKENS", "kolibri-token-must-not-be-logged")
        .env("RUST_LOG", "info")
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.join("shop.db").display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut out = String::new();
    let base = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the server stopped before listening:\n{out}");
        out.push_str(&line);
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':').collect();
            break format!("http://{addr}");
        }
    };

    let params = format!("customerName=Muster&customerWebId=4711&userId=17&apiClaim={CLAIM}&parameterCacheId=pc1");
    let url = signing::url::sign_url(
        SECRET.as_bytes(),
        &format!("http://shop.test:8443/service/?{params}"),
        marktstand::server::clock::now(),
    )
    .unwrap();
    let query = url.split_once('?').unwrap().1.to_string();
    let page = reqwest::get(format!("{base}/?{query}")).await.unwrap();
    let id = page.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let res = crate::common::post_launch(&base, &query).await;
    assert_eq!(res.status(), 200);
    let token: marktstand::contract::launch::Launch = postcard::from_bytes(&res.bytes().await.unwrap()).unwrap();
    let forged = crate::common::post_launch(&base, "apiClaim=x&signature=00").await;
    assert_eq!(forged.status(), 401);
    for token in ["kolibri-token-must-not-be-logged", "a-wrong-token-also-not"] {
        let res = reqwest::Client::new()
            .post(format!("{base}/kolibri24/webhook/{token}"))
            .body("{\"items\": []}")
            .send()
            .await
            .unwrap();
        assert!(res.status() == 200 || res.status() == 401);
    }
    // Each line is written before its answer is sent: all are in the pipe by now.
    let _ = child.kill();
    stdout.read_to_string(&mut out).unwrap();
    let _ = child.wait();

    let lines: Vec<serde_json::Value> =
        out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))).collect();
    let served = lines
        .iter()
        .find(|l| l["span"]["id"] == id.as_str() && l["span"]["path"] == "/")
        .unwrap_or_else(|| panic!("no line for request {id}:\n{out}"));
    assert_eq!(served["span"]["method"], "GET");
    assert!(lines.iter().any(|l| l["span"]["path"] == "/api/launch"), "{out}");
    assert!(lines.iter().any(|l| l["span"]["path"] == "/kolibri24/webhook/(token)"), "{out}");
    for secret in [
        SECRET,
        CLAIM,
        token.token.as_str(),
        "signature=",
        "kolibri-token-must-not-be-logged",
        "a-wrong-token-also-not",
    ] {
        assert!(!out.contains(secret), "`{secret}` is in the log:\n{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
