//! Every tracing event of the test binary captured in memory (and nowhere else), so tests can check
//! what the gate logs and that no secret is ever in it: everything at TRACE, except the code
//! generator and the wasm runtime, whose compile-time tracing is kept from INFO up.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static INIT: OnceLock<()> = OnceLock::new();

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        BUFFER.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber (once per test binary).
pub fn init() {
    INIT.get_or_init(|| {
        let filter = Targets::new()
            .with_default(LevelFilter::TRACE)
            .with_targets(["cranelift", "regalloc", "wasmtime", "wasmparser"].map(|t| (t, LevelFilter::INFO)));
        let format = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(|| Capture);
        tracing_subscriber::registry().with(format).with(filter).try_init().expect("no other subscriber");
    });
}

/// Everything logged so far.
pub fn captured() -> Vec<u8> {
    BUFFER.lock().unwrap_or_else(|p| p.into_inner()).clone()
}
