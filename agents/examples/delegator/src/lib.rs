//! Hires another agent by capability and returns what it produced.
//!
//! Input (JSON): `{"capability": "summarize", "input": "text", "max_price_micros": 1000}`.
//! Output (JSON): the worker, the price, the receipt hash and the output text.

use redoubt_sdk::delegate::{self, Delegation};
use serde::Deserialize;

#[derive(Deserialize)]
struct Order {
    capability: String,
    input: String,
    max_price_micros: u64,
}

struct Delegator;

impl redoubt_sdk::Agent for Delegator {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let order: Order = serde_json::from_slice(&input).map_err(|e| format!("input is not an order: {e}"))?;
        let request = Delegation {
            capability: order.capability.clone(),
            input: order.input.into_bytes(),
            max_price_micros: order.max_price_micros,
        };
        let result = delegate::hire(&request).map_err(|e| format!("hiring for {}: {e}", order.capability))?;
        let answer = serde_json::json!({
            "worker": result.worker,
            "price_micros": result.price_micros,
            "receipt_hash": result.receipt_hash,
            "output": String::from_utf8_lossy(&result.output),
        });
        serde_json::to_vec(&answer).map_err(|e| e.to_string())
    }
}

redoubt_sdk::export!(Delegator);
