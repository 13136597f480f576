//! `redoubt node`: open the node, recover interrupted jobs, start the
//! receipt batcher, and serve the API until SIGINT or SIGTERM.

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
    let listen = config.api.listen;
    let token = std::fs::read_to_string(home.api_token())
        .with_context(|| format!("reading the API token {} (run `redoubt init`)", home.api_token().display()))?
        .trim()
        .to_owned();
    anyhow::ensure!(token.len() >= 32, "the API token in {} is too short", home.api_token().display());
    let node = Node::open(home, config)?;
    let recovered = recovery::recover(&node).await.context("recovering jobs")?;
    if recovered != recovery::Recovered::default() {
        tracing::warn!(?recovered, "recovered jobs interrupted by the last stop");
    }
    batcher::start(&node);
    let listener = TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        tracing::warn!(%addr, "the API listens beyond this machine; it is protected only by its bearer token");
    }
    let app = api::router(node.clone(), token);
    let server = tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(shutdown()).await });
    Ok(Running { node, addr, server })
}

impl Running {
    /// Serves until a shutdown signal, then seals waiting receipts.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.server.await.context("the API server panicked")??;
        let size = self.node.config.jobs.batch_size.max(1);
        batcher::seal_ready(&self.node, size, true).await?;
        Ok(())
    }

    /// Stops serving now (for in-process use: the demo, tests, benchmarks).
    pub fn abort(&self) {
        self.server.abort();
    }
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
