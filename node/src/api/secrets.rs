//! Secrets: the value only ever arrives in a request body (never a URL,
//! never logged) and never leaves: listing shows names, policies and use
//! counts. Every change is audited.

use super::AppState;
use super::error::{ApiError, ApiJson, ApiPath, ApiResult};
use crate::alerts::Incident;
use crate::events::Event;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redoubt_vault::{Policy, SecretValue, VaultError};
use serde::{Deserialize, Serialize};

/// A secret to store.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddSecret {
    /// Its name.
    pub name: String,
    /// Its value (8 to 8192 bytes of UTF-8).
    pub value: String,
    /// Where it may go, for which agents, and how it is injected.
    #[schema(value_type = Object)]
    pub policy: Policy,
}

/// A new value for a secret.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// The new value.
    pub value: String,
}

/// A secret as listed: never its value.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SecretView {
    /// Its name.
    pub name: String,
    /// Its policy.
    #[schema(value_type = Object)]
    pub policy: Policy,
    /// Times it was injected.
    pub uses: u64,
    /// Times the egress gate refused a message that carried it back to an agent (a host's
    /// reflection) or out of one (re-encoded in a request).
    #[serde(default)]
    pub reflections: u64,
    /// Added (Unix seconds).
    pub created_at: u64,
    /// Last rotated (Unix seconds).
    pub rotated_at: Option<u64>,
}

fn refusal(error: VaultError) -> ApiError {
    match error {
        VaultError::UnknownSecret(_) => ApiError::not_found(error.to_string()),
        VaultError::DuplicateName(_) => ApiError::conflict(error.to_string()),
        VaultError::Io { .. } => ApiError::internal(error),
        other => ApiError::unprocessable(other.to_string()),
    }
}

fn changed(state: &AppState, name: &str, action: &str) {
    state.node.alerts.raise(Incident {
        action: format!("secret.{action}"),
        secret: Some(name.to_owned()),
        message: format!("secret {name} {action}"),
        ..Incident::default()
    });
    state.node.events.publish(Event::SecretChanged { name: name.to_owned(), action: action.to_owned() });
}

/// `POST /v1/secrets`
#[utoipa::path(post, path = "/v1/secrets", tag = "secrets", operation_id = "add_secret", security(("bearer" = [])), request_body = AddSecret,
    responses((status = 201, body = SecretView), (status = 409, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<AddSecret>,
) -> ApiResult<(StatusCode, Json<SecretView>)> {
    let AddSecret { name, value, policy } = request;
    state.node.vault.add(&name, SecretValue::from(value), policy).map_err(refusal)?;
    changed(&state, &name, "added");
    Ok((StatusCode::CREATED, Json(view(&state, &name)?)))
}

/// `GET /v1/secrets`
#[utoipa::path(get, path = "/v1/secrets", tag = "secrets", operation_id = "list_secrets", security(("bearer" = [])),
    responses((status = 200, body = Vec<SecretView>)))]
pub async fn list(State(state): State<AppState>) -> Json<Vec<SecretView>> {
    Json(state.node.vault.list().into_iter().map(|info| to_view(&state, info)).collect())
}

/// `DELETE /v1/secrets/{name}`
#[utoipa::path(delete, path = "/v1/secrets/{name}", tag = "secrets", operation_id = "remove_secret", security(("bearer" = [])),
    params(("name" = String, Path, description = "secret name")),
    responses((status = 204), (status = 404, body = super::error::ErrorBody)))]
pub async fn remove(State(state): State<AppState>, ApiPath(name): ApiPath<String>) -> ApiResult<StatusCode> {
    state.node.vault.remove(&name).map_err(refusal)?;
    changed(&state, &name, "removed");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/secrets/{name}/rotate`
#[utoipa::path(post, path = "/v1/secrets/{name}/rotate", tag = "secrets", operation_id = "rotate_secret", security(("bearer" = [])),
    params(("name" = String, Path, description = "secret name")), request_body = RotateSecret,
    responses((status = 200, body = SecretView), (status = 404, body = super::error::ErrorBody)))]
pub async fn rotate(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(request): ApiJson<RotateSecret>,
) -> ApiResult<Json<SecretView>> {
    state.node.vault.rotate(&name, SecretValue::from(request.value)).map_err(refusal)?;
    changed(&state, &name, "rotated");
    Ok(Json(view(&state, &name)?))
}

fn view(state: &AppState, name: &str) -> ApiResult<SecretView> {
    let info = state.node.vault.list().into_iter().find(|info| info.name == name);
    info.map(|info| to_view(state, info)).ok_or_else(|| ApiError::not_found(format!("no secret {name}")))
}

fn to_view(state: &AppState, info: redoubt_vault::SecretInfo) -> SecretView {
    SecretView {
        reflections: state.node.store.reflections(&info.name).unwrap_or_default(),
        name: info.name,
        policy: info.policy,
        uses: info.uses,
        created_at: info.created_at,
        rotated_at: info.rotated_at,
    }
}
