//! The alert list and the audit log, paged. Entries are redacted as they are
//! read, so no stored text can get a page withheld by the leak scan.

use super::AppState;
use super::error::{ApiQuery, ApiResult};
use crate::alerts::{Alert, AuditRecord};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

/// Paging through a log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Entries after this number (default 0: from the start).
    pub after: Option<u64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// A page of alerts.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlertPage {
    /// The alerts, oldest first.
    pub alerts: Vec<Alert>,
    /// Pass as `after` for the next page.
    pub last: u64,
}

/// A page of audit records.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// The records, oldest first.
    pub records: Vec<AuditRecord>,
    /// Pass as `after` for the next page.
    pub last: u64,
}

fn bounds(query: &PageQuery) -> (u64, usize) {
    (query.after.unwrap_or(0), query.limit.unwrap_or(100).clamp(1, 1000))
}

/// `GET /v1/alerts`
#[utoipa::path(get, path = "/v1/alerts", tag = "alerts", operation_id = "list_alerts", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = AlertPage)))]
pub async fn alerts(State(state): State<AppState>, ApiQuery(query): ApiQuery<PageQuery>) -> ApiResult<Json<AlertPage>> {
    let (after, limit) = bounds(&query);
    let page = state.node.store.alerts::<Alert>(after, limit)?;
    let detector = state.node.vault.leak_detector();
    let alerts = page.entries.into_iter().map(|(_, alert)| alert.redacted(&detector)).collect();
    Ok(Json(AlertPage { alerts, last: page.last }))
}

/// `GET /v1/audit`
#[utoipa::path(get, path = "/v1/audit", tag = "alerts", operation_id = "list_audit", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = AuditPage)))]
pub async fn audit(State(state): State<AppState>, ApiQuery(query): ApiQuery<PageQuery>) -> ApiResult<Json<AuditPage>> {
    let (after, limit) = bounds(&query);
    let page = state.node.store.audit::<AuditRecord>(after, limit)?;
    let detector = state.node.vault.leak_detector();
    let records = page.entries.into_iter().map(|(_, record)| record.redacted(&detector)).collect();
    Ok(Json(AuditPage { records, last: page.last }))
}
