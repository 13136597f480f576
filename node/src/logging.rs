//! The logs on stderr: colour only when stderr is a terminal; `text` lines,
//! or `json` (one object per line, the event's fields such as `job`, `agent`,
//! `kind` and `alert` as top-level keys) for journald, Loki or any collector.
//! Once a node's vault is open ([`redact_with`]), every line passes its leak
//! check before it is written: a secret, in any encoding, becomes
//! `[REDACTED:<name>]`.

use crate::config::LogFormat;
use crate::vault_access::SharedVault;
use redoubt_vault::{LeakDetector, Vault};
use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The filter when `RUST_LOG` is unset: agents' lines at info, the rest at warn.
const DEFAULT_FILTER: &str = "warn,agent=info";

/// Installs the global subscriber, writing `format` to stderr.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(RedactingStderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.with_ansi(false).json().flatten_event(true).with_current_span(true).init(),
    }
}

/// From now on, every log line is redacted with `vault`'s current leak detector.
pub fn redact_with(vault: &SharedVault) {
    let redactor = Redactor { vault: vault.handle(), last: Mutex::new(vault.leak_detector()) };
    *REDACTOR.write().unwrap_or_else(PoisonError::into_inner) = Some(redactor);
}

static REDACTOR: RwLock<Option<Redactor>> = RwLock::new(None);

/// The vault a line is checked against, and the detector it last had.
struct Redactor {
    vault: Arc<Mutex<Vault>>,
    last: Mutex<Arc<LeakDetector>>,
}

impl Redactor {
    /// The vault's detector; the last one seen when the vault is locked (a
    /// line logged by a thread holding the vault must not wait for it).
    fn detector(&self) -> Arc<LeakDetector> {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Ok(vault) = self.vault.try_lock() {
            *last = vault.leak_detector();
        }
        last.clone()
    }
}

fn redacted(line: &[u8]) -> Cow<'_, [u8]> {
    let redactor = REDACTOR.read().unwrap_or_else(PoisonError::into_inner);
    match redactor.as_ref() {
        Some(redactor) => redactor.detector().redact(line),
        None => Cow::Borrowed(line),
    }
}

/// Makes one [`Line`] per event.
struct RedactingStderr;

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line(Vec::new())
    }
}

/// One formatted event, checked and written to stderr whole when dropped.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let _ = std::io::stderr().lock().write_all(&redacted(&self.0));
    }
}
