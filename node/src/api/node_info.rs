//! Who this node is, its fresh evidence for a verifier's nonce, liveness and metrics.

use super::AppState;
use super::error::{ApiError, ApiQuery, ApiResult};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

/// The node's identity and security posture.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeInfo {
    /// The node's NEAR account.
    pub account_id: String,
    /// Its ed25519 signing key (`ed25519:<base58>`).
    pub public_key: String,
    /// Its X25519 encryption key (hex).
    pub x25519_public_key: String,
    /// `sev-snp` or `dev-insecure`.
    pub evidence_kind: String,
    /// SHA-256 (hex) of the standing evidence, named in receipts.
    pub evidence_hash: String,
    /// How the vault's master key is protected.
    pub vault_key_mode: String,
    /// True when anything here is not hardware-backed (dev evidence or an unsealed vault key).
    pub insecure: bool,
    /// Plain-HTTP egress allowed (development setting).
    pub egress_allow_http: bool,
    /// Loopback egress allowed (development setting).
    pub egress_allow_loopback: bool,
    /// The node's software version.
    pub version: String,
}

/// `GET /healthz`: liveness, no token needed.
#[utoipa::path(get, path = "/healthz", tag = "node", operation_id = "healthz", responses((status = 200, description = "alive")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /v1/node`
#[utoipa::path(get, path = "/v1/node", tag = "node", operation_id = "get_node", security(("bearer" = [])),
    responses((status = 200, body = NodeInfo)))]
pub async fn info(State(state): State<AppState>) -> Json<NodeInfo> {
    Json(node_info(&state.node))
}

/// The node's identity and posture.
pub fn node_info(node: &crate::node::Node) -> NodeInfo {
    let identity = &node.identity;
    let mode = node.vault.key_mode();
    NodeInfo {
        account_id: identity.keys.account_id().to_string(),
        public_key: identity.keys.public_key().to_string(),
        x25519_public_key: hex::encode(identity.keys.x25519_public()),
        evidence_kind: identity.evidence.kind().to_owned(),
        evidence_hash: hex::encode(identity.evidence_hash),
        vault_key_mode: mode.label().to_owned(),
        insecure: identity.is_dev() || mode.is_insecure(),
        egress_allow_http: node.config.egress.allow_http,
        egress_allow_loopback: node.config.egress.allow_loopback,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

/// A verifier's nonce.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NonceQuery {
    /// Hex bytes (at most 64) to bind into fresh evidence.
    pub nonce: Option<String>,
}

/// `GET /v1/node/evidence?nonce=HEX`: fresh evidence binding the node's keys and the nonce.
#[utoipa::path(get, path = "/v1/node/evidence", tag = "node", operation_id = "get_node_evidence", security(("bearer" = [])), params(NonceQuery),
    responses((status = 200, description = "evidence JSON (sev-snp or dev-insecure)")))]
pub async fn evidence(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<NonceQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let nonce = match query.nonce {
        Some(text) => Some(hex::decode(&text).map_err(|e| ApiError::bad_request(format!("nonce is not hex: {e}")))?),
        None => None,
    };
    if nonce.as_ref().is_some_and(|n| n.len() > 64) {
        return Err(ApiError::bad_request("nonce is at most 64 bytes"));
    }
    let keys = &state.node.identity.keys;
    let fresh = redoubt_attestation::collect(keys, nonce.as_deref()).map_err(ApiError::internal)?;
    Ok(Json(serde_json::to_value(&fresh).map_err(ApiError::internal)?))
}

/// `GET /metrics`: Prometheus text.
#[utoipa::path(get, path = "/metrics", tag = "node", operation_id = "get_metrics", security(("bearer" = [])),
    responses((status = 200, description = "Prometheus text exposition")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.node.metrics.render())
}
