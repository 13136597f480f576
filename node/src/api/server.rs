//! Serving the API, bounded against slow and idle clients: a connection must
//! send a whole request head within `header_timeout` of opening or of its
//! last response (so a connection that sends nothing, or idles between
//! requests, is closed); a request body that stalls for `idle_timeout` is cut
//! off; at most `max_connections` are open at once, and the rest wait in the
//! listen backlog until one closes. Shutdown stops accepting and gives open
//! connections a grace period (an event stream never ends by itself).

use crate::config::ApiSection;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// How long open connections may finish after a shutdown signal.
const GRACE: Duration = Duration::from_secs(10);

/// How long to wait after a failed accept (e.g. out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The bounds on connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest wait for a whole request head.
    pub header_timeout: Duration,
    /// Longest stall inside a request body.
    pub idle_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

/// A limit of zero, which would leave the API unusable.
#[derive(Debug, thiserror::Error)]
#[error("api.{0} must be above zero")]
pub struct ZeroLimit(pub &'static str);

impl Limits {
    /// The limits `[api]` sets.
    pub fn of(api: &ApiSection) -> Result<Limits, ZeroLimit> {
        let nonzero = |value: u64, key| if value == 0 { Err(ZeroLimit(key)) } else { Ok(value) };
        Ok(Limits {
            header_timeout: Duration::from_millis(nonzero(api.header_timeout_ms, "header_timeout_ms")?),
            idle_timeout: Duration::from_millis(nonzero(api.idle_timeout_ms, "idle_timeout_ms")?),
            max_connections: nonzero(api.max_connections as u64, "max_connections")? as usize,
        })
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let service = ServiceBuilder::new().layer(RequestBodyTimeoutLayer::new(limits.idle_timeout)).service(app);
    let service = TowerToHyperService::new(service);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &slots) => accepted,
        };
        let Some((stream, slot)) = accepted else { continue };
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service.clone()));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "API connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(GRACE, graceful.shutdown()).await.is_err() {
        tracing::info!("closing API connections still open after the grace period");
    }
    Ok(())
}

/// The next connection, once a slot is free (none after a failed accept).
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(tokio::net::TcpStream, tokio::sync::OwnedSemaphorePermit)> {
    let slot = slots.clone().acquire_owned().await.expect("the connection semaphore is never closed");
    match listener.accept().await {
        Ok((stream, _)) => Some((stream, slot)),
        Err(error) => {
            tracing::warn!(%error, "could not accept an API connection");
            tokio::time::sleep(ACCEPT_BACKOFF).await;
            None
        }
    }
}
