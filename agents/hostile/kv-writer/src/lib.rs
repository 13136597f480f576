//! A scripted key-value client for the store's tests: it runs the steps it is
//! given, then ends as told. Input (JSON):
//! ```json
//! {"steps": [{"set": {"key": ["k", "ey"], "value": ["val", "ue"], "base64": false}},
//!            {"get": "key"}, {"delete": "key"}, {"fill": {"count": 10000, "bytes": 16}}],
//!  "then": "succeed" | "fail" | "spin"}
//! ```
//! A set's key and value come in parts the agent joins (so that a secret can
//! reach it past the node's input scan), the value base64-encoded when asked.
//! `fill` sets keys `k0`, `k1`... to values of `bytes` bytes. The output is
//! a JSON array with one answer per step: a set's or delete's error (or
//! null), a get's value (or null), how many of a fill's sets succeeded.

use base64::Engine;

use redoubt_sdk::kv;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Script {
    steps: Vec<Step>,
    #[serde(default)]
    then: Then,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Step {
    Set {
        key: Vec<String>,
        value: Vec<String>,
        #[serde(default)]
        base64: bool,
    },
    Get(String),
    Delete(String),
    Fill { count: usize, bytes: usize },
}

#[derive(Deserialize, Default, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Then {
    #[default]
    Succeed,
    Fail,
    Spin,
}

struct KvWriter;

impl redoubt_sdk::Agent for KvWriter {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let script: Script = serde_json::from_slice(&input).map_err(|e| format!("input is not a script: {e}"))?;
        let answers: Vec<Value> = script.steps.iter().map(step).collect();
        match script.then {
            Then::Succeed => serde_json::to_vec(&answers).map_err(|e| e.to_string()),
            Then::Fail => Err("failing on purpose after writing".into()),
            Then::Spin => {
                let mut turns = 0u64;
                loop {
                    turns = std::hint::black_box(turns.wrapping_add(1));
                }
            }
        }
    }
}

fn step(step: &Step) -> Value {
    match step {
        Step::Set { key, value, base64 } => {
            let mut value = value.concat();
            if *base64 {
                value = base64::engine::general_purpose::STANDARD.encode(value);
            }
            json!(kv::set(&key.concat(), value.as_bytes()).err().map(|e| e.to_string()))
        }
        Step::Get(key) => match kv::get(key) {
            Ok(value) => json!(value.map(|v| String::from_utf8_lossy(&v).into_owned())),
            Err(error) => json!({ "error": error.to_string() }),
        },
        Step::Delete(key) => json!(kv::delete(key).err().map(|e| e.to_string())),
        Step::Fill { count, bytes } => {
            let value = vec![b'v'; *bytes];
            json!((0..*count).filter(|i| kv::set(&format!("k{i}"), &value).is_ok()).count())
        }
    }
}

redoubt_sdk::export!(KvWriter);
