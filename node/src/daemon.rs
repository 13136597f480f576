//! `redoubt node`: check the home's modes, open the node, recover
//! interrupted jobs, start the receipt batcher, and serve the API (bounded:
//! see [`api::server`]) until SIGINT or SIGTERM. Once the vault is open, every
//! log line passes its leak check ([`crate::logging`]).

use crate::api;
use crate::config::Config;
use crate::home::Home;
use crate::node::Node;
use crate::pipeline::{batcher, recovery};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A node serving its API.
pub struct Running {
    /// The node.
    pub node: Arc<Node>,
    /// Where the API listens.
    pub addr: SocketAddr,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Opens the node under `home` and serves its API on `config.api.listen`.
pub async fn start(home: Home, config: Config) -> anyhow::Result<Running> {
    config.validate()?;
    home.secure().with_context(|| format!("making {} private to its owner", home.data_dir().display()))?;
    let listen = config.api.listen;
    let token = std::fs::read_to_string(home.api_token())
        .with_context(|| format!("reading the API token {} (run `redoubt init`)", home.api_token().display()))?
        .trim()
        .to_owned();
    anyhow::ensure!(token.len() >= 32, "the API token in {} is too short", home.api_token().display());
    let limits = api::server::Limits::of(&config.api)?;
    let node = Node::open(home, config)?;
    crate::logging::redact_with(&node.vault);
    let recovered = recovery::recover(&node).await.context("recovering jobs")?;
    if recovered != recovery::Recovered::default() {
        tracing::warn!(?recovered, "recovered jobs interrupted by the last stop");
    }
    batcher::start(&node);
    flush_vault_uses(&node);
    let listener = TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        tracing::warn!(%addr, "the API listens beyond this machine; it is protected only by its bearer token");
    }
    let hosts = api::host::AllowedHosts::for_listener(addr, &node.config.api.allowed_hosts)?;
    let app = api::router(node.clone(), token, hosts);
    let server = tokio::spawn(api::server::serve(listener, app, limits, shutdown()));
    Ok(Running { node, addr, server })
}

impl Running {
    /// Serves until a shutdown signal, then seals waiting receipts.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.server.await.context("the API server panicked")??;
        let size = self.node.config.jobs.batch_size.max(1);
        batcher::seal_ready(&self.node, size, true).await?;
        self.node.vault.flush_uses()?;
        Ok(())
    }

    /// Stops serving now (for in-process use: the demo, tests, benchmarks).
    pub fn abort(&self) {
        self.server.abort();
    }
}

/// How often use counts kept in memory are written to the vault.
const VAULT_FLUSH: std::time::Duration = std::time::Duration::from_secs(5);

/// Writes the vault's in-memory use counts every few seconds (limited secrets
/// are written before each grant; these are counters only).
fn flush_vault_uses(node: &Arc<Node>) {
    let weak = Arc::downgrade(node);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(VAULT_FLUSH).await;
            let Some(node) = weak.upgrade() else { return };
            if let Err(error) = node.vault.flush_uses() {
                tracing::warn!(%error, "could not write the vault's use counts");
            }
        }
    });
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
}
