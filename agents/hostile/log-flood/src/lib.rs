//! Writes numbered log lines without end.

use redoubt_sdk::log;

struct LogFlood;

impl redoubt_sdk::Agent for LogFlood {
    fn run(_input: Vec<u8>) -> Result<Vec<u8>, String> {
        let mut line = 0u64;
        loop {
            log::write(log::Level::Info, &format!("flood line {line}: {}", "spam ".repeat(8)));
            line += 1;
        }
    }
}

redoubt_sdk::export!(LogFlood);
