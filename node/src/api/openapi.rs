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
#[utoipa::path(get, path = "/openapi.json", tag = "node", operation_id = "get_openapi_document", security(("bearer" = [])),
    responses((status = 200, description = "this document")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    //! Invariants a generated client relies on, checked without any outside tool.

    use super::ApiDoc;
    use serde_json::Value;
    use std::collections::BTreeSet;
    use utoipa::OpenApi;

    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    fn document() -> Value {
        serde_json::to_value(ApiDoc::openapi()).expect("the document serializes")
    }

    /// Every operation as (`METHOD path`, path, operation).
    fn operations(document: &Value) -> Vec<(String, String, Value)> {
        let paths = document["paths"].as_object().expect("paths");
        let mut found = Vec::new();
        for (path, item) in paths {
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    found.push((format!("{} {path}", method.to_uppercase()), path.clone(), operation.clone()));
                }
            }
        }
        found
    }

    /// The `{name}` segments of a path template.
    fn template_names(path: &str) -> BTreeSet<String> {
        path.split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_operation_has_its_own_id() {
        let mut seen = BTreeSet::new();
        for (route, _, operation) in operations(&document()) {
            let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{route} has no operationId"));
            assert!(seen.insert(id.to_owned()), "operationId {id:?} repeats ({route})");
        }
        assert!(seen.len() >= 25, "{seen:?}");
    }

    #[test]
    fn path_parameters_are_exactly_the_templates_names() {
        for (route, path, operation) in operations(&document()) {
            let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            let mut declared = BTreeSet::new();
            for parameter in &parameters {
                let name = parameter["name"].as_str().expect("a parameter name");
                let place = parameter["in"].as_str().expect("a parameter place");
                if place == "path" {
                    assert_eq!(parameter["required"], true, "{route}: path parameter {name} must be required");
                    declared.insert(name.to_owned());
                }
            }
            assert_eq!(declared, template_names(&path), "{route}: path parameters vs the template");
            let unique: BTreeSet<_> =
                parameters.iter().map(|p| (p["name"].clone().to_string(), p["in"].to_string())).collect();
            assert_eq!(unique.len(), parameters.len(), "{route}: a parameter repeats");
        }
    }

    #[test]
    fn every_reference_resolves() {
        fn walk(value: &Value, schemas: &serde_json::Map<String, Value>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(target)) = map.get("$ref") {
                        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{target}"));
                        assert!(schemas.contains_key(name), "$ref {target} names no schema");
                    }
                    map.values().for_each(|child| walk(child, schemas));
                }
                Value::Array(items) => items.iter().for_each(|child| walk(child, schemas)),
                _ => {}
            }
        }
        let document = document();
        let schemas = document["components"]["schemas"].as_object().expect("schemas").clone();
        walk(&document, &schemas);
    }

    /// A union member's own properties and required names, read without
    /// following a `$ref` (an inline `allOf` over a reference is what
    /// openapi-python-client cannot read, so the whole union was dropped).
    /// A member may be an object, an `allOf` of members, or a one-way `oneOf`.
    fn member_fields(member: &Value) -> (serde_json::Map<String, Value>, BTreeSet<String>) {
        assert!(member.get("$ref").is_none(), "a union member refers instead of describing: {member}");
        let one_of = member["oneOf"].as_array().filter(|choices| choices.len() == 1);
        let (mut properties, mut required) = (serde_json::Map::new(), BTreeSet::new());
        for part in member["allOf"].as_array().or(one_of).into_iter().flatten() {
            let (more, needed) = member_fields(part);
            properties.extend(more);
            required.extend(needed);
        }
        properties.extend(member["properties"].as_object().cloned().unwrap_or_default());
        let names = member["required"].as_array().cloned().unwrap_or_default();
        required.extend(names.iter().map(|name| name.as_str().expect("a name").to_owned()));
        (properties, required)
    }

    #[test]
    fn the_event_union_describes_every_event_as_serialized() {
        use crate::alerts::{Alert, Severity};
        use crate::events::Event;
        use crate::job::JobState;
        let alert = Alert {
            id: 1,
            at_ms: 2,
            severity: Severity::Critical,
            kind: "egress_blocked".into(),
            agent: Some("echo".into()),
            job: Some(3),
            host: Some("example.com".into()),
            secret: Some("key".into()),
            message: "blocked".into(),
        };
        let (name, agent) = (String::from("echo"), String::from("echo"));
        let events = [
            Event::JobQueued { job: 1, agent: agent.clone() },
            Event::JobStarted { job: 1, agent: agent.clone(), attempt: 1 },
            Event::JobFinished { job: 1, agent, state: JobState::Succeeded, receipt: Some("ab".into()) },
            Event::BatchSealed { index: 1, root: "cd".into(), count: 1 },
            Event::Alert(alert),
            Event::AgentInstalled { name: name.clone(), code_hash: "ef".into() },
            Event::AgentRemoved { name: name.clone() },
            Event::SecretChanged { name, action: "added".into() },
        ];
        let document = document();
        let members = document["components"]["schemas"]["Event"]["oneOf"].as_array().expect("Event is a oneOf").clone();
        assert_eq!(members.len(), events.len(), "one member per event");
        for event in events {
            let json = serde_json::to_value(&event).expect("an event serializes");
            let tag = &json["type"];
            let matching: Vec<_> = members
                .iter()
                .map(member_fields)
                .filter(|(properties, _)| {
                    properties["type"]["enum"].as_array().is_some_and(|tags| tags == std::slice::from_ref(tag))
                })
                .collect();
            assert_eq!(matching.len(), 1, "exactly one member has type {tag}");
            let (properties, required) = &matching[0];
            let keys: BTreeSet<String> = json.as_object().expect("an object").keys().cloned().collect();
            let declared: BTreeSet<String> = properties.keys().cloned().collect();
            assert_eq!(keys, declared, "{tag}: fields as serialized vs as documented");
            assert!(required.is_subset(&keys), "{tag}: requires {required:?}, sends {keys:?}");
        }
    }
}
