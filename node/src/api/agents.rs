//! Installing, listing and removing agents.

use super::AppState;
use super::error::{ApiError, ApiJson, ApiPath, ApiResult};
use crate::agents::InstallError;
use crate::store::AgentRecord;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// An agent package to install.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallAgent {
    /// The manifest (TOML text).
    pub manifest: String,
    /// The component, base64.
    pub component_base64: String,
}

/// `POST /v1/agents`
#[utoipa::path(post, path = "/v1/agents", tag = "agents", operation_id = "install_agent", security(("bearer" = [])), request_body = InstallAgent,
    responses((status = 201, body = AgentRecord), (status = 422, body = super::error::ErrorBody)))]
pub async fn install(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<InstallAgent>,
) -> ApiResult<(StatusCode, Json<AgentRecord>)> {
    let component = base64::engine::general_purpose::STANDARD
        .decode(request.component_base64.as_bytes())
        .map_err(|e| ApiError::bad_request(format!("component_base64 is not base64: {e}")))?;
    match state.node.install(&request.manifest, component).await {
        Ok(record) => Ok((StatusCode::CREATED, Json(record))),
        Err(InstallError::Store(error)) => Err(error.into()),
        Err(refused) => Err(ApiError::unprocessable(refused.to_string())),
    }
}

/// `GET /v1/agents`
#[utoipa::path(get, path = "/v1/agents", tag = "agents", operation_id = "list_agents", security(("bearer" = [])),
    responses((status = 200, body = Vec<AgentRecord>)))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<AgentRecord>>> {
    Ok(Json(state.node.store.agents()?))
}

/// `GET /v1/agents/{name}`
#[utoipa::path(get, path = "/v1/agents/{name}", tag = "agents", operation_id = "get_agent", security(("bearer" = [])),
    params(("name" = String, Path, description = "agent name")),
    responses((status = 200, body = AgentRecord), (status = 404, body = super::error::ErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiPath(name): ApiPath<String>) -> ApiResult<Json<AgentRecord>> {
    let record = state.node.store.agent(&name)?;
    record.map(Json).ok_or_else(|| ApiError::not_found(format!("no agent named {name:?}")))
}

/// `DELETE /v1/agents/{name}`
#[utoipa::path(delete, path = "/v1/agents/{name}", tag = "agents", operation_id = "remove_agent", security(("bearer" = [])),
    params(("name" = String, Path, description = "agent name")),
    responses((status = 204), (status = 404, body = super::error::ErrorBody)))]
pub async fn remove(State(state): State<AppState>, ApiPath(name): ApiPath<String>) -> ApiResult<StatusCode> {
    if state.node.uninstall(&name).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no agent named {name:?}")))
    }
}
