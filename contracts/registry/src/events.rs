//! The registry's NEP-297 events (`standard: "redoubt-registry"`, `version: "1.0.0"`): every state change
//! logs one.

use near_sdk::serde::Serialize;
use redoubt_contracts_common::emit_event;

/// The NEP-297 `standard` of every registry event.
pub const STANDARD: &str = "redoubt-registry";
/// The NEP-297 `version` of every registry event.
pub const VERSION: &str = "1.0.0";

/// Logs the registry event `event` with `data` as its single data element.
pub fn emit<T: Serialize>(event: &str, data: &T) {
    emit_event(STANDARD, VERSION, event, data);
}
