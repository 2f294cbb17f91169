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
}

/// TOKEN:SECRET, split at the first colon (tokens have none; secrets may).
fn parse_api_user(text: &str) -> Result<(String, String), String> {
    match text.trim().split_once(':') {
        Some((token, secret)) if !token.is_empty() && !secret.is_empty() => Ok((token.to_owned(), secret.to_owned())),
        _ => Err("expected TOKEN:SECRET with neither part empty".into()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let args = Args::parse();
    let mut config = SimConfig::new(&args.storefront, args.secret.into_bytes())?;
    if !args.allow_remote_storefront {
        config.require_loopback_storefront()?;
    }
    config.api_users = args.api_users;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(
        "onOffice enterprise simulator on http://{} for storefront {}",
        listener.local_addr()?,
        config.storefront
    );
    tracing::info!(
        "onOffice API stand-in at {} for {} API user(s)",
        marktstand_simulator::api::API_PATH,
        config.api_users.len()
    );
    axum::serve(listener, router(config)).await?;
    Ok(())
}
