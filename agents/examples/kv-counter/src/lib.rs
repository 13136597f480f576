//! Counts how many times each key (the input) was seen, in the agent's own
//! key-value store, and returns the new count.

use redoubt_sdk::kv;

struct KvCounter;

impl redoubt_sdk::Agent for KvCounter {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let key = String::from_utf8(input).map_err(|_| "the key must be UTF-8".to_string())?;
        let previous = kv::get(&key).map_err(|e| format!("reading {key}: {e}"))?;
        let count = match previous {
            Some(bytes) => String::from_utf8(bytes).ok().and_then(|s| s.parse::<u64>().ok()).unwrap_or(0),
            None => 0,
        } + 1;
        kv::set(&key, count.to_string().as_bytes()).map_err(|e| format!("writing {key}: {e}"))?;
        Ok(count.to_string().into_bytes())
    }
}

redoubt_sdk::export!(KvCounter);
