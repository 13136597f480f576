//! The last check on the way out: every API response body (but the event
//! stream) is scanned for vault secrets in any encoding. A response that
//! would disclose one is replaced by an error and an alert is raised, naming
//! the route template (the raw path may be what carried the secret).

use super::AppState;
use super::error::ApiError;
use crate::alerts::{Incident, Severity};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The most of a response body buffered for scanning.
const MAX_SCANNED: usize = 64 << 20;

/// Scans the response of every request it wraps.
pub async fn scan_response(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = super::route::template(&request);
    let response = next.run(request).await;
    let streaming = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
    if streaming {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_SCANNED).await {
        Ok(bytes) => bytes,
        Err(error) => return ApiError::internal(format!("response too large to scan: {error}")).into_response(),
    };
    let detector = state.node.vault.leak_detector();
    if let Some(leak) = detector.scan(&bytes) {
        state.node.alerts.raise(Incident {
            action: "api.response_withheld".into(),
            alert: Some((Severity::Critical, "api_response_withheld".into())),
            secret: Some(leak.secret.clone()),
            message: format!("response to {route} withheld: it carried secret {} ({})", leak.secret, leak.encoding),
            ..Incident::default()
        });
        state.node.alerts.settle().await;
        let message = format!("response withheld: it would have disclosed secret {}", leak.secret);
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "response_withheld", message).into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}
