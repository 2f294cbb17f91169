//! Runs the onOffice enterprise stand-in for local development and browser tests.

use std::net::SocketAddr;

use clap::Parser;
use marktstand_simulator::{router, SimConfig};

#[derive(Parser)]
#[command(name = "marktstand-simulator", about = "Local stand-in for onOffice enterprise")]
struct Args {
    /// Address the simulator listens on.
    #[arg(long, env = "SIMULATOR_LISTEN", default_value = "127.0.0.1:3001")]
    listen: SocketAddr,

    /// The storefront's public service URL; launches are signed for it and
    /// only its origin may post messages.
    #[arg(long, env = "SIMULATOR_STOREFRONT", default_value = "http://127.0.0.1:3000/")]
    storefront: String,

    /// The provider secret shared with the storefront. Its own variable, not the
    /// storefront's, so a production environment never hands the simulator its secret.
    #[arg(long, env = "SIMULATOR_PROVIDER_SECRET", hide_env_values = true)]
    secret: String,

    /// Sign launches for a storefront that is not on this machine. Off by default: the
    /// simulator signs with the provider secret and must never sign for production.
    #[arg(long, env = "SIMULATOR_ALLOW_REMOTE_STOREFRONT", default_value_t = false)]
    allow_remote_storefront: bool,

    /// An API user of the stand-in onOffice API as TOKEN:SECRET; repeatable.
    /// The activation URL's `apiToken` must be one of these tokens.
    #[arg(
        long = "api-user",
        value_name = "TOKEN:SECRET",
        env = "SIMULATOR_API_USERS",
        value_delimiter = ',',
        value_parser = parse_api_user,
        default_value = "demo-token:demo-secret",
        hide_env_values = true
    )]
    api_users: Vec<(String, String)>,

    /// The token in the storefront's Kolibri24 webhook URL (its MARKTSTAND_KOLIBRI24_WEBHOOK_TOKENS).
    #[arg(long, env = "SIMULATOR_KOLIBRI24_WEBHOOK_TOKEN", default_value = marktstand_simulator::DEMO_KOLIBRI24_TOKEN, hide_env_values = true)]
    kolibri24_webhook_token: String,

    /// The Oneflow API user the storefront must send (its MARKTSTAND_ONEFLOW_API_TOKEN).
    #[arg(long, env = "SIMULATOR_ONEFLOW_API_TOKEN", default_value = marktstand_simulator::DEMO_ONEFLOW_API_TOKEN, hide_env_values = true)]
    oneflow_api_token: String,

    /// Its e-mail (the storefront's MARKTSTAND_ONEFLOW_USER_EMAIL).
    #[arg(long, env = "SIMULATOR_ONEFLOW_USER_EMAIL", default_value = marktstand_simulator::DEMO_ONEFLOW_USER_EMAIL)]
    oneflow_user_email: String,

    /// The Oneflow webhook sign key (the storefront's MARKTSTAND_ONEFLOW_SIGN_KEY).
    #[arg(long, env = "SIMULATOR_ONEFLOW_SIGN_KEY", default_value = marktstand_simulator::DEMO_ONEFLOW_SIGN_KEY, hide_env_values = true)]
    oneflow_sign_key: String,
}

/// TOKEN:SECRET, split at the first colon (tokens have none; secrets may).
fn parse_api_user(text: &str) -> Result<(String, String), String> {
    match text.trim().split_once(':') {
        Some((token, secret)) if !token.is_empty() && !secret.is_empty() => Ok((token.to_owned(), secret.to_owned())),
        _ => Err("expected TOKEN:SECRET with neither part empty".into()),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Taken before any thread starts: it clears the LISTEN_* variables.
    let inherited = listenfd::ListenFd::from_env().take_tcp_listener(0)?;
    tokio::runtime::Runtime::new()?.block_on(run(inherited))
}

/// Serves on the inherited socket when one was handed over (no port to pick and release),
/// else on `--listen`.
async fn run(inherited: Option<std::net::TcpListener>) -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let args = Args::parse();
    let mut config = SimConfig::new(&args.storefront, args.secret.into_bytes())?;
    if !args.allow_remote_storefront {
        config.require_loopback_storefront()?;
    }
    config.api_users = args.api_users;
    config.kolibri24_webhook_token = args.kolibri24_webhook_token;
    config.oneflow_api_token = args.oneflow_api_token;
    config.oneflow_user_email = args.oneflow_user_email;
    config.oneflow_sign_key = args.oneflow_sign_key;
    let listener = match inherited {
        Some(socket) => {
            socket.set_nonblocking(true)?;
            tokio::net::TcpListener::from_std(socket)?
        }
        None => tokio::net::TcpListener::bind(args.listen).await?,
    };
    tracing::info!(
        "onOffice enterprise simulator on http://{} for storefront {}",
        listener.local_addr()?,
        config.storefront
    );
    tracing::info!(
        "onOffice API stand-in at {} for {} API user(s)",
        marktstand_simulator::onoffice::api::API_PATH,
        config.api_users.len()
    );
    tracing::info!("Kolibri24 stand-in at /kolibri24, Oneflow stand-in at /oneflow");
    axum::serve(listener, router(config)).await?;
    Ok(())
}
