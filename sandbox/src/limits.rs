//! Per-job resource limits: what a manifest may ask for, what the operator allows,
//! and the typed error raised when a job hits one.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares the limit fields once and derives from that list the resolved
/// [`Limits`], the manifest's [`RequestedLimits`] (every field optional) and
/// the [`LimitKind`] that names each of them in errors.
macro_rules! define_limits {
    ($( $(#[$doc:meta])* $field:ident => $kind:ident, $name:literal; )*) => {
        /// Resolved limits for one job: every field has a value.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Limits {
            $( $(#[$doc])* pub $field: u64, )*
        }

        /// Limits as a manifest states them: an omitted field takes the
        /// operator's default.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RequestedLimits {
            $( $(#[$doc])* #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<u64>, )*
        }

        /// Names one limit, for errors and reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum LimitKind {
            $( $(#[$doc])* $kind, )*
            /// Depth of the WebAssembly call stack (an engine-wide operator setting).
            Stack,
            /// Size of the component itself (an operator setting, checked at install).
            ComponentBytes,
        }

        impl LimitKind {
            /// The name used in manifests and error messages.
            pub fn name(self) -> &'static str {
                match self {
                    $( LimitKind::$kind => $name, )*
                    LimitKind::Stack => "stack_bytes",
                    LimitKind::ComponentBytes => "component_bytes",
                }
            }
        }

        impl Limits {
            /// The value of one limit (`None` for the engine-wide ones).
            pub fn get(&self, kind: LimitKind) -> Option<u64> {
                match kind {
                    $( LimitKind::$kind => Some(self.$field), )*
                    LimitKind::Stack | LimitKind::ComponentBytes => None,
                }
            }
        }

        impl RequestedLimits {
            /// Fills omitted fields from `defaults` and refuses any value above `caps`.
            pub fn resolve(&self, defaults: &Limits, caps: &Limits) -> Result<Limits, LimitAboveCap> {
                Ok(Limits {
                    $( $field: {
                        let value = self.$field.unwrap_or(defaults.$field);
                        if value > caps.$field {
                            return Err(LimitAboveCap { kind: LimitKind::$kind, requested: value, cap: caps.$field });
                        }
                        value
                    }, )*
                })
            }
        }
    };
}

define_limits! {
    /// Fuel: roughly one unit per WebAssembly instruction.
    fuel => Fuel, "fuel";
    /// Wall-clock time for the whole job in milliseconds, host calls included.
    wall_time_ms => WallTime, "wall_time_ms";
    /// Linear memory in bytes, all memories of the job together.
    memory_bytes => Memory, "memory_bytes";
    /// Table elements, all tables of the job together.
    table_elements => TableElements, "table_elements";
    /// Core and component instances created by the job.
    instances => Instances, "instances";
    /// Size of the job's input in bytes.
    input_bytes => InputBytes, "input_bytes";
    /// Size of the job's output (or error message) in bytes.
    output_bytes => OutputBytes, "output_bytes";
    /// Bytes written to the log (log interface and stderr together).
    log_bytes => LogBytes, "log_bytes";
    /// Lines written to the log.
    log_lines => LogLines, "log_lines";
    /// Calls to `http.fetch`.
    http_calls => HttpCalls, "http_calls";
    /// Calls to `llm.complete`.
    llm_calls => LlmCalls, "llm_calls";
    /// Calls to the key-value store.
    kv_calls => KvCalls, "kv_calls";
    /// Calls to `delegate.hire`.
    delegate_calls => DelegateCalls, "delegate_calls";
    /// Size of one request an agent hands the host: an HTTP request (method,
    /// URL, headers and body), an LLM prompt, or a delegation (capability and
    /// input). Checked while the request is still in guest memory.
    request_bytes => RequestBytes, "request_bytes";
    /// Size of one key or value handed to the key-value store. Checked while
    /// it is still in guest memory.
    kv_bytes => KvBytes, "kv_bytes";
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Limits {
    /// The limits a node applies when the operator sets none.
    pub fn operator_defaults() -> Self {
        Limits {
            fuel: 2_000_000_000,
            wall_time_ms: 10_000,
            memory_bytes: 64 << 20,
            table_elements: 20_000,
            instances: 32,
            input_bytes: 1 << 20,
            output_bytes: 1 << 20,
            log_bytes: 64 << 10,
            log_lines: 1_000,
            http_calls: 32,
            llm_calls: 8,
            kv_calls: 1_000,
            delegate_calls: 4,
            request_bytes: 1 << 20,
            kv_bytes: 64 << 10,
        }
    }

    /// The most a manifest may ask for when the operator sets no caps.
    pub fn operator_caps() -> Self {
        Limits {
            fuel: 50_000_000_000,
            wall_time_ms: 120_000,
            memory_bytes: 512 << 20,
            table_elements: 100_000,
            instances: 64,
            input_bytes: 16 << 20,
            output_bytes: 16 << 20,
            log_bytes: 1 << 20,
            log_lines: 10_000,
            http_calls: 256,
            llm_calls: 64,
            kv_calls: 10_000,
            delegate_calls: 16,
            request_bytes: 16 << 20,
            kv_bytes: 1 << 20,
        }
    }
}

/// A manifest asked for more than the operator allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("manifest asks for {kind} = {requested}, above the operator's cap of {cap}")]
pub struct LimitAboveCap {
    /// Which limit.
    pub kind: LimitKind,
    /// What the manifest asked for.
    pub requested: u64,
    /// The operator's cap.
    pub cap: u64,
}

/// A running job hit one of its limits and was stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("limit exceeded: {kind} (limit {limit})")]
pub struct LimitExceeded {
    /// Which limit.
    pub kind: LimitKind,
    /// The limit's value for this job.
    pub limit: u64,
}

impl LimitExceeded {
    /// The error for `kind` at its value in `limits`.
    pub fn of(kind: LimitKind, limits: &Limits) -> Self {
        LimitExceeded { kind, limit: limits.get(kind).unwrap_or(0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omitted_fields_take_defaults_and_caps_are_enforced() {
        let defaults = Limits::operator_defaults();
        let caps = Limits::operator_caps();
        let requested = RequestedLimits { fuel: Some(5), ..Default::default() };
        let resolved = requested.resolve(&defaults, &caps).unwrap();
        assert_eq!(resolved.fuel, 5);
        assert_eq!(resolved.memory_bytes, defaults.memory_bytes);

        let greedy = RequestedLimits { memory_bytes: Some(caps.memory_bytes + 1), ..Default::default() };
        let err = greedy.resolve(&defaults, &caps).unwrap_err();
        assert_eq!(err.kind, LimitKind::Memory);
        assert!(err.to_string().contains("memory_bytes"), "{err}");
    }

    #[test]
    fn unknown_limit_fields_are_refused() {
        let parsed: Result<RequestedLimits, _> = toml::from_str("fule = 3");
        assert!(parsed.is_err());
    }
}
