//! Bearer-token authentication for every route but `/healthz`. The token is
//! compared in constant time; a refusal is counted and logged by route
//! template (never the raw path, never the token presented).

use super::AppState;
use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

/// Lets a request through only with `Authorization: Bearer <the node's token>`.
pub async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let reason = match presented {
        None => "missing",
        Some(token) if bool::from(token.as_bytes().ct_eq(state.token.as_bytes())) => return next.run(request).await,
        Some(_) => "wrong",
    };
    state.node.metrics.api_refused(&format!("token_{reason}"));
    tracing::warn!(route = %super::route::template(&request), reason, "API request refused: bad bearer token");
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", format!("{reason} bearer token")).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    response
}
