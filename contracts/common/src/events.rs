//! NEP-297 events: one log line per event, `EVENT_JSON:` followed by a single JSON object.

use near_sdk::env;
use near_sdk::serde::Serialize;
use near_sdk::serde_json::{self, json};

/// Logs one NEP-297 event: `EVENT_JSON:{"standard":standard,"version":version,"event":event,"data":[data]}`.
pub fn emit_event<T: Serialize>(standard: &str, version: &str, event: &str, data: &T) {
    let line = json!({ "standard": standard, "version": version, "event": event, "data": [data] });
    env::log_str(&format!("EVENT_JSON:{}", serde_json::to_string(&line).unwrap_or_default()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_sdk::test_utils::{VMContextBuilder, get_logs};
    use near_sdk::testing_env;

    #[test]
    fn event_line_is_nep297() {
        testing_env!(VMContextBuilder::new().build());
        emit_event("redoubt-test", "1.0.0", "thing_done", &json!({ "id": 7 }));
        let logs = get_logs();
        assert_eq!(logs.len(), 1);
        let body = logs[0].strip_prefix("EVENT_JSON:").expect("prefix");
        let value: serde_json::Value = serde_json::from_str(body).expect("one JSON object");
        assert_eq!(
            value,
            json!({"standard": "redoubt-test", "version": "1.0.0", "event": "thing_done", "data": [{"id": 7}]})
        );
    }
}
