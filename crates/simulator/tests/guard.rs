//! The simulator can never sign for production: it reads its own secret variable, refuses a
//! storefront that is not on this machine unless told otherwise, and answers only requests
//! addressed to a loopback name.

use marktstand_simulator::{spawn_on_loopback, SimConfig};
use std::io::{BufRead, BufReader};
use std::process::Command;

fn simulator(args: &[&str], envs: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_marktstand-simulator"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("SIMULATOR_PROVIDER_SECRET")
        .env_remove("MARKTSTAND_PROVIDER_SECRET")
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("simulator starts");
    // Serving announces its address; a refusal ends the process (its output ends).
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let serving = stdout.lines().map_while(Result::ok).any(|line| line.contains("simulator on http://"));
    if serving {
        child.kill().unwrap();
        child.wait().unwrap();
        return (None, String::new());
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn refuses_a_storefront_that_is_not_on_this_machine() {
    let secret = [("SIMULATOR_PROVIDER_SECRET", "s")];
    let (code, stderr) = simulator(&["--storefront", "https://shop.example.com/"], &secret);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not on this machine"), "{stderr}");
    let (code, _) = simulator(&["--storefront", "https://shop.example.com/", "--allow-remote-storefront"], &secret);
    assert_eq!(code, None, "the explicit flag lets it serve");
    let (code, _) = simulator(&["--storefront", "http://localhost:3000/"], &secret);
    assert_eq!(code, None, "a local storefront is served");
}

#[test]
fn does_not_read_the_storefronts_secret_variable() {
    let (code, stderr) =
        simulator(&["--storefront", "http://127.0.0.1:3000/"], &[("MARKTSTAND_PROVIDER_SECRET", "production secret")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--secret") || stderr.contains("SIMULATOR_PROVIDER_SECRET"), "{stderr}");
}

#[tokio::test]
async fn answers_only_requests_addressed_to_a_loopback_name() {
    let base = spawn_on_loopback(SimConfig::new("http://127.0.0.1:3000/", b"s".to_vec()).unwrap()).await;
    let client = reqwest::Client::new();
    let get = |host: &'static str| client.get(format!("{base}/healthz")).header("host", host).send();
    assert_eq!(get("127.0.0.1:3001").await.unwrap().status(), 200);
    assert_eq!(get("localhost").await.unwrap().status(), 200);
    assert_eq!(get("[::1]:3001").await.unwrap().status(), 200);
    assert_eq!(get("attacker.example:3001").await.unwrap().status(), 421);
    assert_eq!(get("127.0.0.1.attacker.example").await.unwrap().status(), 421);
}
