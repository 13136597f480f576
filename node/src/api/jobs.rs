//! Submitting jobs, following them, and fetching their outputs, logs and
//! receipts (with the batch's inclusion proof and the node's evidence, so a
//! verifier can check a receipt offline).

use super::AppState;
use super::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::job::{JobId, JobRecord, JobState};
use crate::pipeline::SubmitError;
use crate::pipeline::SubmitJob;
use crate::pipeline::admission::Refusal;
use crate::store::{BatchRecord, JobFilter, StoredReceipt};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use base64::Engine;
use redoubt_attestation::Batch;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A job to run.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitJobRequest {
    /// The installed agent's name.
    pub agent: String,
    /// The input as UTF-8 text (or use `input_base64`).
    pub input: Option<String>,
    /// The input as base64 bytes.
    pub input_base64: Option<String>,
    /// A client reference, e.g. a market job id.
    pub market_ref: Option<String>,
}

/// How long to wait for the job.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitQuery {
    /// Wait for the job to end before answering.
    pub wait: Option<bool>,
    /// The longest wait in milliseconds (default 60000).
    pub timeout_ms: Option<u64>,
}

/// A receipt with what a verifier needs beside it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceiptBundle {
    /// SHA-256 (hex) of the receipt.
    pub hash: String,
    /// The job.
    pub job_id: JobId,
    /// The signed receipt.
    #[schema(value_type = Object)]
    pub receipt: redoubt_attestation::SignedReceipt,
    /// Its batch, once sealed.
    pub batch: Option<BatchRecord>,
    /// Its inclusion proof in the batch, once sealed.
    #[schema(value_type = Option<Object>)]
    pub proof: Option<redoubt_attestation::InclusionProof>,
    /// The node's standing evidence (its hash is in the receipt).
    #[schema(value_type = Object)]
    pub evidence: redoubt_attestation::Evidence,
}

/// Filters for listing jobs.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only jobs in this state.
    pub state: Option<String>,
    /// Only jobs after this id.
    pub after: Option<JobId>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// `POST /v1/jobs`
#[utoipa::path(post, path = "/v1/jobs", tag = "jobs", operation_id = "submit_job", security(("bearer" = [])), request_body = SubmitJobRequest,
    params(WaitQuery),
    responses((status = 202, body = JobRecord, description = "queued (or still running after the wait)"),
        (status = 200, body = JobRecord, description = "ended within the wait"),
        (status = 404, body = super::error::ErrorBody), (status = 413, body = super::error::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiQuery(wait): ApiQuery<WaitQuery>,
    ApiJson(request): ApiJson<SubmitJobRequest>,
) -> ApiResult<(StatusCode, Json<JobRecord>)> {
    let input = match (request.input, request.input_base64) {
        (Some(text), None) => text.into_bytes(),
        (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded.as_bytes())
            .map_err(|e| ApiError::bad_request(format!("input_base64 is not base64: {e}")))?,
        (None, None) => Vec::new(),
        (Some(_), Some(_)) => return Err(ApiError::bad_request("give input or input_base64, not both")),
    };
    let job = SubmitJob { agent: request.agent, input, parent: None, market_ref: request.market_ref };
    let record = state.node.submit(job).await.map_err(|error| match error {
        SubmitError::Refused(Refusal::UnknownAgent(name)) => ApiError::not_found(format!("no agent named {name:?}")),
        SubmitError::Refused(refusal @ Refusal::InputTooLarge { .. }) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", refusal.to_string())
        }
        SubmitError::Refused(refusal) => ApiError::unprocessable(refusal.to_string()),
        SubmitError::Store(error) => error.into(),
    })?;
    if !wait.wait.unwrap_or(false) {
        return Ok((StatusCode::ACCEPTED, Json(record)));
    }
    let timeout = Duration::from_millis(wait.timeout_ms.unwrap_or(60_000).min(600_000));
    match tokio::time::timeout(timeout, state.node.wait(record.id)).await {
        Ok(Ok(Some(done))) => Ok((StatusCode::OK, Json(done))),
        Ok(Ok(None)) => Err(ApiError::internal("the job vanished")),
        Ok(Err(error)) => Err(error.into()),
        Err(_) => Ok((StatusCode::ACCEPTED, Json(state.node.store.job(record.id)?.unwrap_or(record)))),
    }
}

/// `GET /v1/jobs`
#[utoipa::path(get, path = "/v1/jobs", tag = "jobs", operation_id = "list_jobs", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Vec<JobRecord>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<JobRecord>>> {
    let filter_state = match query.state.as_deref() {
        Some(text) => Some(text.parse::<JobState>().map_err(ApiError::bad_request)?),
        None => None,
    };
    let filter =
        JobFilter { state: filter_state, after: query.after, limit: Some(query.limit.unwrap_or(100).clamp(1, 1000)) };
    Ok(Json(state.node.store.jobs(&filter)?))
}

fn job_or_404(state: &AppState, id: JobId) -> ApiResult<JobRecord> {
    state.node.store.job(id)?.ok_or_else(|| ApiError::not_found(format!("no job {id}")))
}

/// `GET /v1/jobs/{id}`
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "jobs", operation_id = "get_job", security(("bearer" = [])),
    params(("id" = u64, Path, description = "job id")),
    responses((status = 200, body = JobRecord), (status = 404, body = super::error::ErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<JobId>) -> ApiResult<Json<JobRecord>> {
    Ok(Json(job_or_404(&state, id)?))
}

/// `GET /v1/jobs/{id}/output`: the output bytes of a succeeded job.
#[utoipa::path(get, path = "/v1/jobs/{id}/output", tag = "jobs", operation_id = "get_job_output", security(("bearer" = [])),
    params(("id" = u64, Path, description = "job id")),
    responses((status = 200, description = "the output bytes", content_type = "application/octet-stream"),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn output(State(state): State<AppState>, ApiPath(id): ApiPath<JobId>) -> ApiResult<impl IntoResponse> {
    let job = job_or_404(&state, id)?;
    if job.state != JobState::Succeeded {
        let why = job.error.map_or_else(String::new, |e| format!(": {}", e.message));
        return Err(ApiError::conflict(format!("job {id} is {}{why}", job.state)));
    }
    let bytes = state.node.store.job_output(id)?.unwrap_or_default();
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes))
}

/// `GET /v1/jobs/{id}/logs`: what the agent logged (leak-scanned).
#[utoipa::path(get, path = "/v1/jobs/{id}/logs", tag = "jobs", operation_id = "get_job_logs", security(("bearer" = [])),
    params(("id" = u64, Path, description = "job id")),
    responses((status = 200, description = "log text", content_type = "text/plain")))]
pub async fn logs(State(state): State<AppState>, ApiPath(id): ApiPath<JobId>) -> ApiResult<impl IntoResponse> {
    job_or_404(&state, id)?;
    let bytes = state.node.store.job_logs(id)?.unwrap_or_default();
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], bytes))
}

/// `GET /v1/jobs/{id}/receipt`
#[utoipa::path(get, path = "/v1/jobs/{id}/receipt", tag = "jobs", operation_id = "get_job_receipt", security(("bearer" = [])),
    params(("id" = u64, Path, description = "job id")),
    responses((status = 200, body = ReceiptBundle), (status = 409, body = super::error::ErrorBody)))]
pub async fn receipt(State(state): State<AppState>, ApiPath(id): ApiPath<JobId>) -> ApiResult<Json<ReceiptBundle>> {
    let job = job_or_404(&state, id)?;
    let hash =
        job.receipt.ok_or_else(|| ApiError::conflict(format!("job {id} has no receipt (it is {})", job.state)))?;
    bundle(&state, &hash)
}

/// `GET /v1/receipts/{hash}`
#[utoipa::path(get, path = "/v1/receipts/{hash}", tag = "jobs", operation_id = "get_receipt", security(("bearer" = [])),
    params(("hash" = String, Path, description = "receipt hash (hex)")),
    responses((status = 200, body = ReceiptBundle), (status = 404, body = super::error::ErrorBody)))]
pub async fn receipt_by_hash(
    State(state): State<AppState>,
    ApiPath(hash): ApiPath<String>,
) -> ApiResult<Json<ReceiptBundle>> {
    bundle(&state, &hash)
}

fn bundle(state: &AppState, hash: &str) -> ApiResult<Json<ReceiptBundle>> {
    let stored: StoredReceipt =
        state.node.store.receipt(hash)?.ok_or_else(|| ApiError::not_found(format!("no receipt {hash}")))?;
    let batch = match stored.batch {
        Some(index) => state.node.store.batch(index)?,
        None => None,
    };
    let proof = batch.as_ref().and_then(|batch| proof_in(batch, hash));
    Ok(Json(ReceiptBundle {
        hash: stored.hash,
        job_id: stored.job_id,
        receipt: stored.signed,
        batch,
        proof,
        evidence: state.node.identity.evidence.clone(),
    }))
}

/// The inclusion proof of receipt `hash` in `batch`.
fn proof_in(batch: &BatchRecord, hash: &str) -> Option<redoubt_attestation::InclusionProof> {
    let index = batch.receipts.iter().position(|member| member == hash)?;
    let leaves: Vec<Vec<u8>> = batch.receipts.iter().map(|h| hex::decode(h).unwrap_or_default()).collect();
    Batch::new(&leaves)?.proof(index as u64)
}

/// `GET /v1/batches/{index}`
#[utoipa::path(get, path = "/v1/batches/{index}", tag = "jobs", operation_id = "get_batch", security(("bearer" = [])),
    params(("index" = u64, Path, description = "batch number")),
    responses((status = 200, body = BatchRecord), (status = 404, body = super::error::ErrorBody)))]
pub async fn batch(State(state): State<AppState>, ApiPath(index): ApiPath<u64>) -> ApiResult<Json<BatchRecord>> {
    let batch = state.node.store.batch(index)?;
    batch.map(Json).ok_or_else(|| ApiError::not_found(format!("no batch {index}")))
}

/// `POST /v1/jobs/{id}/cancel`
#[utoipa::path(post, path = "/v1/jobs/{id}/cancel", tag = "jobs", operation_id = "cancel_job", security(("bearer" = [])),
    params(("id" = u64, Path, description = "job id")),
    responses((status = 200, body = JobRecord), (status = 404, body = super::error::ErrorBody)))]
pub async fn cancel(State(state): State<AppState>, ApiPath(id): ApiPath<JobId>) -> ApiResult<Json<JobRecord>> {
    let job = job_or_404(&state, id)?;
    if job.state.is_final() {
        return Err(ApiError::conflict(format!("job {id} already ended ({})", job.state)));
    }
    let now = state.node.cancel(id).await?;
    Ok(Json(now.ok_or_else(|| ApiError::not_found(format!("no job {id}")))?))
}
