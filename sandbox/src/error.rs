//! Errors: why an agent could not be loaded, and why a job failed.

use crate::limits::{LimitAboveCap, LimitExceeded, LimitKind, Limits};
use serde::{Deserialize, Serialize};

/// Why an agent package was refused at install or load.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The component is bigger than the operator allows.
    #[error("component is {bytes} bytes, above the operator's limit of {limit} bytes")]
    ComponentTooLarge {
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// The manifest asks for more than the operator allows.
    #[error(transparent)]
    LimitAboveCap(#[from] LimitAboveCap),
    /// The bytes are not a valid WebAssembly component.
    #[error("not a valid WebAssembly component: {0}")]
    InvalidComponent(String),
    /// The component's static shape (its core instances, memories or tables)
    /// already exceeds what the operator allows any job.
    #[error("component exceeds the operator's {kind} cap: {detail}")]
    StaticLimit {
        /// Which limit.
        kind: LimitKind,
        /// wasmtime's account of it.
        detail: String,
    },
    /// The component imports a host interface its manifest does not unlock.
    #[error("component imports `{import}`, which its manifest does not allow (needs {capability})")]
    UndeclaredImport {
        /// The import's name.
        import: String,
        /// The manifest capability that would unlock it.
        capability: &'static str,
    },
    /// The component imports something outside the `redoubt:agent` world and WASI.
    #[error("component imports `{import}`, which the redoubt:agent world does not offer")]
    UnknownImport {
        /// The import's name.
        import: String,
    },
    /// The component's imports could not be linked (e.g. a WASI interface of another version).
    #[error("component cannot be linked: {0}")]
    Link(String),
    /// The sandbox itself failed (engine, cache directory).
    #[error("sandbox failure: {0}")]
    Internal(String),
}

impl LoadError {
    /// Classifies a compilation error: the pooling allocator's static checks
    /// (reported only as text) become [`LoadError::StaticLimit`].
    pub(crate) fn from_compile(error: wasmtime::Error) -> Self {
        let detail = format!("{error:#}");
        let kind = if detail.contains("core module instances") {
            Some(LimitKind::Instances)
        } else if detail.contains("linear memories") || detail.contains("minimum byte size") {
            Some(LimitKind::Memory)
        } else if detail.contains("tables") || detail.contains("minimum element size") {
            Some(LimitKind::TableElements)
        } else {
            None
        };
        match kind {
            Some(kind) => LoadError::StaticLimit { kind, detail },
            None => LoadError::InvalidComponent(detail),
        }
    }
}

/// Why a job did not produce an output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobError {
    /// The job hit one of its limits and was stopped.
    #[error(transparent)]
    LimitExceeded(LimitExceeded),
    /// The agent returned an error.
    #[error("agent returned an error: {message}")]
    Agent {
        /// The agent's message (truncated to the output limit).
        message: String,
    },
    /// The agent trapped (a panic, `unreachable`, an invalid memory access...).
    #[error("agent trapped: {message}")]
    Trap {
        /// The trap and the tail of the agent's stderr.
        message: String,
    },
    /// The node could not run the job (not the agent's fault).
    #[error("sandbox failure: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
}

/// The most of an error message or stderr tail kept in a [`JobError`].
const MESSAGE_CAP: usize = 4096;

impl JobError {
    /// Classifies a wasmtime error from instantiating or running a job.
    pub(crate) fn from_wasmtime(error: wasmtime::Error, limits: &Limits, stack_bytes: usize, console: &[u8]) -> Self {
        if let Some(exceeded) = error.downcast_ref::<LimitExceeded>() {
            return JobError::LimitExceeded(exceeded.clone());
        }
        if let Some(trap) = error.downcast_ref::<wasmtime::Trap>() {
            let kind = match trap {
                wasmtime::Trap::OutOfFuel => Some(LimitKind::Fuel),
                wasmtime::Trap::Interrupt => Some(LimitKind::WallTime),
                wasmtime::Trap::StackOverflow => Some(LimitKind::Stack),
                _ => None,
            };
            if let Some(kind) = kind {
                let limit = limits.get(kind).unwrap_or(stack_bytes as u64);
                return JobError::LimitExceeded(LimitExceeded { kind, limit });
            }
            return JobError::Trap { message: with_console_tail(trap.to_string(), console) };
        }
        if error.downcast_ref::<wasmtime::PoolConcurrencyLimitError>().is_some() {
            return JobError::Internal { message: error.to_string() };
        }
        let message = reason(&error);
        // wasmtime reports a store's instance limit, and a host call whose
        // arguments add up to more than its hostcall fuel (the job's memory,
        // see `Sandbox::run`), only as text.
        if message.contains("instance count too high") {
            return JobError::LimitExceeded(LimitExceeded::of(LimitKind::Instances, limits));
        }
        if message.contains("fuel allocated for hostcalls has been exhausted") {
            return JobError::LimitExceeded(LimitExceeded::of(LimitKind::Memory, limits));
        }
        JobError::Trap { message: with_console_tail(message, console) }
    }

    /// The error for an agent that returned `Err(message)`.
    pub(crate) fn agent(message: String) -> Self {
        JobError::Agent { message: truncate(message) }
    }
}

/// An error's reason first (its root cause), then the rest of its chain
/// (wasmtime wraps the cause in a wasm backtrace, which can be long enough to
/// push the cause past the message cap).
fn reason(error: &wasmtime::Error) -> String {
    let cause = error.root_cause().to_string();
    let chain = format!("{error:#}");
    if chain.starts_with(&cause) { chain } else { format!("{cause}; {chain}") }
}

fn with_console_tail(message: String, console: &[u8]) -> String {
    let mut message = truncate(message);
    if !console.is_empty() {
        let tail = &console[console.len().saturating_sub(MESSAGE_CAP)..];
        message.push_str("; agent output ends: ");
        message.push_str(&String::from_utf8_lossy(tail));
    }
    message
}

fn truncate(mut text: String) -> String {
    if text.len() > MESSAGE_CAP {
        let mut cut = MESSAGE_CAP;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("… (truncated)");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trap_names_its_cause_before_a_long_backtrace() {
        let backtrace =
            format!("error while executing at wasm backtrace:{}", "\n    0: 0x1234 - agent!frame".repeat(500));
        let error = wasmtime::Error::msg("invalid utf-8 sequence of 1 bytes from index 3").context(backtrace);
        let limits = Limits::operator_defaults();
        let JobError::Trap { message } = JobError::from_wasmtime(error, &limits, 0, b"") else { panic!("not a trap") };
        assert!(
            message.starts_with("invalid utf-8 sequence of 1 bytes from index 3; error while executing"),
            "{message}"
        );
    }
}
