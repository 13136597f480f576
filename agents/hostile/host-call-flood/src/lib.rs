//! Calls the key-value store without end, ignoring every answer.

use redoubt_sdk::kv;

struct HostCallFlood;

impl redoubt_sdk::Agent for HostCallFlood {
    fn run(_input: Vec<u8>) -> Result<Vec<u8>, String> {
        loop {
            let _ = std::hint::black_box(kv::get("flood"));
        }
    }
}

redoubt_sdk::export!(HostCallFlood);
