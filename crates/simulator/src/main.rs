//! Runs the onOffice enterprise stand-in for local development and browser tests.

use std::net::SocketAddr;

use clap::Parser;
use marktstand_simulator::{router, SimConfig};

#[derive(Parser)]
#[command(
    name = "marktstand-simulator",
    about = "Local stand-in for onOffice enterprise"
)]
struct Args {
    /// Address the simulator listens on.
    #[arg(long, env = "SIMULATOR_LISTEN", default_value = "127.0.0.1:3001")]
    listen: SocketAddr,

    /// The storefront's public service URL; launches are signed for it and
    /// only its origin may post messages.
    #[arg(
        long,
        env = "SIMULATOR_STOREFRONT",
        default_value = "http://127.0.0.1:3000/"
    )]
    storefront: String,

    /// The provider secret shared with the storefront.
    #[arg(long, env = "MARKTSTAND_PROVIDER_SECRET", hide_env_values = true)]
    secret: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let config = SimConfig::new(&args.storefront, args.secret.into_bytes())?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(
        "onOffice enterprise simulator on http://{} for storefront {}",
        listener.local_addr()?,
        config.storefront
    );
    axum::serve(listener, router(config)).await?;
    Ok(())
}
