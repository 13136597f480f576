//! The local HTTP API (axum): agents, jobs, secrets, alerts and audit, the
//! event stream, node identity, metrics, and the OpenAPI document generated
//! from these handlers (utoipa). A request naming a host the node does not
//! answer as gets 421 ([`host`]); every route but `/healthz` needs the bearer
//! token; every response but the event stream passes the leak scan; logs and
//! alerts name routes by template ([`route`]); [`server`] bounds connections.

mod agents;
mod auth;
pub mod error;
mod events;
pub mod host;
mod jobs;
mod journal;
mod node_info;
mod openapi;
mod route;
mod scan;
mod secrets;
pub mod server;

pub use agents::InstallAgent;
pub use jobs::{ReceiptBundle, SubmitJobRequest};
pub use node_info::{NodeInfo, node_info as node_info_of};
pub use secrets::{AddSecret, RotateSecret, SecretView};

use crate::node::Node;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use std::sync::Arc;

/// What every handler sees.
#[derive(Clone)]
pub struct AppState {
    /// The node.
    pub node: Arc<Node>,
    /// The bearer token.
    pub token: Arc<str>,
}

/// The API's routes, answered only as `hosts`, guarded and scanned.
pub fn router(node: Arc<Node>, token: String, hosts: host::AllowedHosts) -> Router {
    let max_body = node.config.api.max_body_bytes;
    let state = AppState { node, token: token.into() };
    let protected = Router::new()
        .route("/v1/node", get(node_info::info))
        .route("/v1/node/evidence", get(node_info::evidence))
        .route("/v1/agents", get(agents::list).post(agents::install))
        .route("/v1/agents/{name}", get(agents::get).delete(agents::remove))
        .route("/v1/jobs", get(jobs::list).post(jobs::submit))
        .route("/v1/jobs/{id}", get(jobs::get))
        .route("/v1/jobs/{id}/output", get(jobs::output))
        .route("/v1/jobs/{id}/logs", get(jobs::logs))
        .route("/v1/jobs/{id}/receipt", get(jobs::receipt))
        .route("/v1/jobs/{id}/cancel", post(jobs::cancel))
        .route("/v1/receipts/{hash}", get(jobs::receipt_by_hash))
        .route("/v1/batches/{index}", get(jobs::batch))
        .route("/v1/secrets", get(secrets::list).post(secrets::add))
        .route("/v1/secrets/{name}", axum::routing::delete(secrets::remove))
        .route("/v1/secrets/{name}/rotate", post(secrets::rotate))
        .route("/v1/alerts", get(journal::alerts))
        .route("/v1/audit", get(journal::audit))
        .route("/v1/events", get(events::stream))
        .route("/metrics", get(node_info::metrics))
        .route("/openapi.json", get(openapi::document))
        .layer(from_fn_with_state(state.clone(), auth::require_token));
    Router::new()
        .route("/healthz", get(node_info::healthz))
        .merge(protected)
        .layer(from_fn_with_state(state.clone(), scan::scan_response))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
        .layer(from_fn_with_state(hosts, host::require_known_host))
}
