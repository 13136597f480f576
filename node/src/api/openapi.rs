//! `GET /openapi.json`: the API's OpenAPI document, generated from the
//! handlers' annotations (utoipa), so it cannot drift from the code.

use super::{agents, error, events, jobs, journal, node_info, secrets};
use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Redoubt node API", description = "The local API of a Redoubt node. Every route but /healthz needs `Authorization: Bearer <token>` (the token is in the node's `api-token` file)."),
    paths(
        node_info::healthz, node_info::info, node_info::evidence, node_info::metrics,
        agents::install, agents::list, agents::get, agents::remove,
        jobs::submit, jobs::list, jobs::get, jobs::output, jobs::logs, jobs::receipt, jobs::receipt_by_hash,
        jobs::batch, jobs::cancel,
        secrets::add, secrets::list, secrets::remove, secrets::rotate,
        journal::alerts, journal::audit,
        events::stream,
        document,
    ),
    components(schemas(
        error::ErrorBody, error::ErrorDetail, node_info::NodeInfo, agents::InstallAgent, crate::store::AgentRecord,
        jobs::SubmitJobRequest, jobs::ReceiptBundle, crate::job::JobRecord, crate::job::JobState,
        crate::job::JobFailure, crate::store::BatchRecord, secrets::AddSecret, secrets::RotateSecret,
        secrets::SecretView, journal::AlertPage, journal::AuditPage, crate::alerts::Alert,
        crate::alerts::AuditRecord, crate::alerts::Severity, crate::events::Event,
    )),
    modifiers(&BearerToken),
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// `GET /openapi.json`
#[utoipa::path(get, path = "/openapi.json", tag = "node", security(("bearer" = [])),
    responses((status = 200, description = "this document")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
