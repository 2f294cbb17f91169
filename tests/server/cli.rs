//! The operator CLI as a provider uses it to debug a rejected launch, and start-up checks.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_marktstand");
const URL: &str = "https://shop.example.com:8443/mp/shop/?userId=342&customerName=M%C3%BCller%20%26%20Co&apiClaim=c1&imageIds%5B0%5D=853";

/// The command's output; a command still running after 30 s (a server that started instead
/// of refusing) is killed and fails the test rather than hanging it.
fn output(command: &mut Command) -> Output {
    let child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match finished.recv_timeout(Duration::from_secs(30)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("still running after 30 s: it should have ended on its own");
        }
    }
}

fn run(args: &[&str]) -> (i32, String) {
    let out = output(Command::new(BIN).args(args).env_remove("MARKTSTAND_PROVIDER_SECRET"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn sign_then_verify_round_trips_and_reports_the_clock() {
    let (code, signed) = run(&["sign-url", "--secret", "s3cr3t", "--at", "1763984293", URL]);
    assert_eq!(code, 0, "{signed}");
    let signed = signed.trim();
    assert!(signed.contains("timestamp=1763984293") && signed.contains("&signature="), "{signed}");
    let (code, out) = run(&["verify-url", "--secret", "s3cr3t", "--at", "1763984300", signed]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "valid (signed with the port)");
    assert!(lines[1].starts_with("signed string: https://shop.example.com:8443/mp/shop/?apiClaim=c1&customerName=M%C3%BCller+%26+Co&imageIds%5B0%5D=853&timestamp=1763984293&userId=342"), "{out}");
    assert!(lines[2].starts_with("clock difference: 7 s"), "{out}");
}

#[test]
fn sign_url_signs_each_url_given_one_per_line() {
    let other = URL.replace("userId=342", "userId=343");
    let (code, out) = run(&["sign-url", "--secret", "s3cr3t", "--at", "1763984293", URL, &other]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[1].contains("userId=343"), "{out}");
    for signed in lines {
        assert_eq!(run(&["verify-url", "--secret", "s3cr3t", "--at", "1763984293", signed]).0, 0, "{signed}");
    }
}

#[test]
fn verify_url_names_the_reason_and_exits_1() {
    let (_, signed) = run(&["sign-url", "--secret", "s3cr3t", "--at", "1763984293", URL]);
    let signed = signed.trim();
    let (code, out) = run(&["verify-url", "--secret", "other", "--at", "1763984293", signed]);
    assert_eq!(code, 1);
    assert!(out.starts_with("invalid: signature_mismatch"), "{out}");
    let (code, out) = run(&["verify-url", "--secret", "s3cr3t", "--at", "1763990000", signed]);
    assert_eq!(code, 1);
    assert!(out.starts_with("invalid: expired"), "{out}");
    assert!(out.contains("clock difference: 5707 s"), "{out}");
    let vector = "https://shop.example.com:8443/mp/shop/?userId=342&language=ENG&customerWebId=21477&customerName=%28%25%27&apiClaim=804b76f2b639137d.9&imageIds%5B0%5D=853&imageIds%5B1%5D=759&timestamp=1763984293&parameterCacheId=e99f40067f2c&estateid=81517&signature=299dafdce5a2757f204aeefe8037ad752bb902e6adf0071a61beddd826ffd964";
    let (code, out) = run(&["verify-url", "--secret", "x", "--at", "1763984293", vector]);
    assert_eq!((code, out.lines().next().unwrap()), (0, "valid (signed with the port)"), "signed by the host itself");
}

#[test]
fn verify_url_ignores_a_fragment_and_says_which_form_of_the_url_was_signed() {
    let (_, signed) = run(&["sign-url", "--secret", "s3cr3t", "--at", "1763984293", URL]);
    let copied = format!("{}#property", signed.trim());
    let (code, out) = run(&["verify-url", "--secret", "s3cr3t", "--at", "1763984293", &copied]);
    assert_eq!((code, out.lines().next().unwrap()), (0, "valid (signed with the port)"), "{out}");
    // Signed as onOffice's published check does, without the port, then opened on the port.
    let portless = URL.replace(":8443", "");
    let (_, signed) = run(&["sign-url", "--secret", "s3cr3t", "--at", "1763984293", &portless]);
    let opened = signed.trim().replace("shop.example.com/", "shop.example.com:8443/");
    let (code, out) = run(&["verify-url", "--secret", "s3cr3t", "--at", "1763984293", &opened]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("valid (signed without the port"), "{out}");
    assert!(out.contains("signed string: https://shop.example.com/mp/shop/?"), "{out}");
}

#[test]
fn a_malformed_catalogue_stops_the_server_with_file_line_and_field() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("marktstand-cli");
    std::fs::create_dir_all(dir.join("public")).unwrap();
    std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
    let catalogue = dir.join("shop.toml");
    std::fs::write(&catalogue, "[[product]]\nid = \"a\"\nname = { de = \"A\" }\n").unwrap();
    let out = output(
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--provider-secret", "s"])
            .env("MARKTSTAND_SITE_ROOT", &dir)
            .env("MARKTSTAND_CATALOGUE", &catalogue)
            .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.join("db.sqlite").display())),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("catalogue {} line 3", catalogue.display())), "{stderr}");
    assert!(stderr.contains("missing field `en`"), "{stderr}");
}
