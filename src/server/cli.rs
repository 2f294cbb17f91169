//! The `marktstand` binary: `serve` (the default) and the operator's signing tools.

use crate::server::config::{Config, LogFormat, ServeArgs};
use crate::server::{routes, store, AppState};
use axum::serve::{ListenerExt, TapIo};
use clap::{Parser, Subcommand};
use signing::url::UrlVerifier;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "marktstand", version, about = "Storefront for onOffice enterprise")]
struct Cli {
    /// Without a command: `serve`, configured from the environment.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve(Box<ServeArgs>),
    /// Print each URL signed the way onOffice signs it, one per line.
    SignUrl {
        #[arg(long, env = "MARKTSTAND_PROVIDER_SECRET", hide_env_values = true)]
        secret: String,
        /// Unix time to sign at (default: now).
        #[arg(long)]
        at: Option<i64>,
        #[arg(required = true)]
        urls: Vec<String>,
    },
    /// Check a signed URL: prints `valid` or `invalid: REASON`, the signed string and the clock
    /// difference. Exit code 0 when valid, 1 when not.
    VerifyUrl {
        #[arg(long, env = "MARKTSTAND_PROVIDER_SECRET", hide_env_values = true)]
        secret: String,
        /// Unix time to judge freshness at (default: now).
        #[arg(long)]
        at: Option<i64>,
        /// Freshness window in seconds.
        #[arg(long, default_value_t = signing::url::DEFAULT_WINDOW_SECS)]
        window: i64,
        url: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::SignUrl { secret, at, urls }) => {
            let at = at.unwrap_or_else(crate::server::clock::now);
            for url in urls {
                match signing::url::sign_url(secret.as_bytes(), &url, at) {
                    Ok(signed) => println!("{signed}"),
                    Err(e) => {
                        eprintln!("cannot sign {url}: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Some(Command::VerifyUrl { secret, at, window, url }) => verify_url(&secret, at, window, &url),
        Some(Command::Serve(args)) => serve(*args),
        None => serve(ServeArgs::parse_from_env()),
    }
}

impl ServeArgs {
    fn parse_from_env() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            args: ServeArgs,
        }
        Only::parse_from(["marktstand"]).args
    }
}

fn verify_url(secret: &str, at: Option<i64>, window: i64, url: &str) -> ExitCode {
    // PHP's `parse_url` leaves a `#fragment` out of the query, and so does a browser.
    let url = url.split('#').next().unwrap_or(url);
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut verifier = UrlVerifier::new(base.to_string(), vec![secret.as_bytes().to_vec()]);
    verifier.window_secs = window;
    let now = at.unwrap_or_else(crate::server::clock::now);
    let inspection = verifier.inspect(query, now);
    match &inspection.result {
        Ok(v) if verifier.portless_base.is_some() && !v.with_port() => {
            println!("valid (signed without the port, as onOffice's published check does)")
        }
        Ok(v) if v.with_port() => println!("valid (signed with the port)"),
        Ok(_) => println!("valid"),
        Err(rejection) => println!("invalid: {} ({rejection})", rejection.code()),
    }
    match &inspection.canonical {
        Some(signed) => println!("signed string: {signed}"),
        None => println!("signed string: (none: the query could not be read)"),
    }
    match inspection.clock_difference {
        Some(diff) => println!("clock difference: {diff} s (now minus timestamp; window ±{window} s)"),
        None => println!("clock difference: unknown (no readable timestamp)"),
    }
    if inspection.result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match args.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).with_current_span(true).with_span_list(false).init(),
    }
    // Taken before the runtime's threads start: it clears the LISTEN_* variables.
    let inherited = match listenfd::ListenFd::from_env().take_tcp_listener(0) {
        Ok(socket) => socket,
        Err(e) => {
            eprintln!("marktstand: the socket handed over in LISTEN_FDS is not a TCP listener: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run(args, inherited)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("marktstand: {message}");
            ExitCode::from(2)
        }
    }
}

/// Serves on `inherited` when a socket was handed over (systemd socket activation, or a test
/// harness that bound port 0), else on `MARKTSTAND_LISTEN`.
async fn run(args: ServeArgs, inherited: Option<std::net::TcpListener>) -> Result<(), String> {
    let config = Config::from_args(args)?;
    tracing::info!(?config, "starting");
    let db = store::connect(&config.database_url)
        .await
        .map_err(|e| format!("database {}: {e}", redact(&config.database_url)))?;
    let listen = config.listen;
    let public = std::path::Path::new(&config.site_root).join("public");
    let catalogue = crate::server::catalogue::load(std::path::Path::new(&config.catalogue), &public)?;
    let state = AppState::new(config, db, catalogue);
    let shell = crate::server::shell::Shell::load(&state)?;
    let worker = crate::server::jobs::spawn_worker(state.clone());
    let app = routes::router(state.clone(), shell);
    let listener = match inherited {
        Some(socket) => socket
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpListener::from_std(socket))
            .map_err(|e| format!("the socket handed over in LISTEN_FDS: {e}"))?,
        None => tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?,
    };
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let listener = without_delay(listener);
    tracing::info!("listening on http://{bound}");
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| e.to_string())?;
    // Requests in flight have been answered; now the worker finishes what runs and hands back
    // the rest, so another replica takes it at once instead of after the claim runs out.
    state.jobs.stop();
    let grace = std::time::Duration::from_secs(state.jobs.settings().lock_secs as u64);
    if tokio::time::timeout(grace, worker).await.is_err() {
        tracing::warn!("webhook worker did not stop in time; its claims run out after lock_secs");
    }
    Ok(())
}

/// Every accepted connection with TCP_NODELAY. Without it, a response written in two parts
/// (a file's headers, then its body) waits for the client's delayed ACK before the second:
/// 20–45 ms per static asset on a reused connection (BENCHMARKS.md).
fn without_delay(listener: tokio::net::TcpListener) -> TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    listener.tap_io(set_nodelay)
}

fn set_nodelay(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!("cannot set TCP_NODELAY: {e}");
    }
}

/// Ctrl-C or SIGTERM (what a container runtime sends) ends the server gracefully.
async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    #[tokio::test]
    async fn accepted_connections_send_without_delay() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut listener = super::without_delay(listener);
        let _client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap(), "an accepted connection must have TCP_NODELAY");
    }
}
