//! Per-job accounting: memory and tables (as wasmtime's resource limiter), log
//! output and host calls, each checked against the job's [`Limits`].

use crate::limits::{LimitExceeded, LimitKind, Limits};
use serde::{Deserialize, Serialize};

/// How many memories and tables one job may create (on top of the byte and element limits).
const MAX_MEMORIES: usize = 8;
const MAX_TABLES: usize = 16;

/// What a job used, reported with its result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceUsage {
    /// Fuel consumed (roughly, WebAssembly instructions executed).
    pub fuel: u64,
    /// Wall-clock time of the job in microseconds, instantiation included.
    pub wall_time_us: u64,
    /// Peak linear memory of all the job's memories together, in bytes.
    pub memory_peak_bytes: u64,
    /// Peak table elements of all the job's tables together.
    pub table_peak_elements: u64,
    /// Bytes written to the log.
    pub log_bytes: u64,
    /// Lines written to the log.
    pub log_lines: u64,
    /// Bytes of output (or error message).
    pub output_bytes: u64,
    /// Host calls made, per kind.
    pub host_calls: HostCallCounts,
}

/// Host calls made by a job, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostCallCounts {
    /// `http.fetch`
    pub http: u64,
    /// `llm.complete`
    pub llm: u64,
    /// `kv.*`
    pub kv: u64,
    /// `delegate.hire`
    pub delegate: u64,
}

/// The counters of one running job and the limits they are held to.
#[derive(Debug)]
pub struct Meter {
    limits: Limits,
    memory_bytes: u64,
    table_elements: u64,
    usage: ResourceUsage,
}

impl Meter {
    /// A fresh meter for a job with these limits.
    pub fn new(limits: Limits) -> Self {
        Meter { limits, memory_bytes: 0, table_elements: 0, usage: ResourceUsage::default() }
    }

    /// The job's limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// What has been used so far (fuel and time are filled in by the runner).
    pub fn usage(&self) -> &ResourceUsage {
        &self.usage
    }

    fn exceeded(&self, kind: LimitKind) -> wasmtime::Error {
        wasmtime::Error::new(LimitExceeded::of(kind, &self.limits))
    }

    /// Counts one host call of `kind`; past the limit the job is stopped.
    pub fn charge_host_call(&mut self, kind: LimitKind) -> wasmtime::Result<()> {
        let calls = &mut self.usage.host_calls;
        let (count, limit) = match kind {
            LimitKind::HttpCalls => (&mut calls.http, self.limits.http_calls),
            LimitKind::LlmCalls => (&mut calls.llm, self.limits.llm_calls),
            LimitKind::KvCalls => (&mut calls.kv, self.limits.kv_calls),
            LimitKind::DelegateCalls => (&mut calls.delegate, self.limits.delegate_calls),
            other => unreachable!("{other} is not a host-call limit"),
        };
        if *count >= limit {
            return Err(self.exceeded(kind));
        }
        *count += 1;
        Ok(())
    }

    /// Counts one log line of `bytes` bytes; past either log limit the job is stopped.
    pub fn charge_log_line(&mut self, bytes: usize) -> wasmtime::Result<()> {
        if self.usage.log_lines >= self.limits.log_lines {
            return Err(self.exceeded(LimitKind::LogLines));
        }
        let total = self.usage.log_bytes.saturating_add(bytes as u64);
        if total > self.limits.log_bytes {
            return Err(self.exceeded(LimitKind::LogBytes));
        }
        self.usage.log_lines += 1;
        self.usage.log_bytes = total;
        Ok(())
    }

    /// Records the output size; past the limit the job fails.
    pub fn charge_output(&mut self, bytes: usize) -> Result<(), LimitExceeded> {
        self.usage.output_bytes = bytes as u64;
        if bytes as u64 > self.limits.output_bytes {
            return Err(LimitExceeded::of(LimitKind::OutputBytes, &self.limits));
        }
        Ok(())
    }

    /// Grows a running total by `desired - current`, refusing to pass `limit`.
    fn grow(total: &mut u64, peak: &mut u64, current: usize, desired: usize, limit: u64) -> bool {
        let next = total.saturating_sub(current as u64).saturating_add(desired as u64);
        if next > limit {
            return false;
        }
        *total = next;
        *peak = (*peak).max(next);
        true
    }
}

impl wasmtime::ResourceLimiter for Meter {
    fn memory_growing(&mut self, current: usize, desired: usize, _max: Option<usize>) -> wasmtime::Result<bool> {
        let limit = self.limits.memory_bytes;
        if Self::grow(&mut self.memory_bytes, &mut self.usage.memory_peak_bytes, current, desired, limit) {
            Ok(true)
        } else {
            Err(self.exceeded(LimitKind::Memory))
        }
    }

    fn table_growing(&mut self, current: usize, desired: usize, _max: Option<usize>) -> wasmtime::Result<bool> {
        let limit = self.limits.table_elements;
        if Self::grow(&mut self.table_elements, &mut self.usage.table_peak_elements, current, desired, limit) {
            Ok(true)
        } else {
            Err(self.exceeded(LimitKind::TableElements))
        }
    }

    fn instances(&self) -> usize {
        usize::try_from(self.limits.instances).unwrap_or(usize::MAX)
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::ResourceLimiter;

    fn small() -> Limits {
        Limits { memory_bytes: 100, log_lines: 2, log_bytes: 10, kv_calls: 1, ..Limits::operator_defaults() }
    }

    #[test]
    fn memory_is_counted_across_memories_and_stops_at_the_limit() {
        let mut meter = Meter::new(small());
        assert!(meter.memory_growing(0, 60, None).unwrap());
        let err = meter.memory_growing(0, 60, None).unwrap_err();
        assert_eq!(err.downcast_ref::<LimitExceeded>().unwrap().kind, LimitKind::Memory);
        assert!(meter.memory_growing(60, 100, None).unwrap());
        assert_eq!(meter.usage().memory_peak_bytes, 100);
    }

    #[test]
    fn log_and_host_calls_stop_at_their_limits() {
        let mut meter = Meter::new(small());
        meter.charge_log_line(4).unwrap();
        let err = meter.charge_log_line(7).unwrap_err();
        assert_eq!(err.downcast_ref::<LimitExceeded>().unwrap().kind, LimitKind::LogBytes);
        meter.charge_log_line(1).unwrap();
        let err = meter.charge_log_line(0).unwrap_err();
        assert_eq!(err.downcast_ref::<LimitExceeded>().unwrap().kind, LimitKind::LogLines);

        meter.charge_host_call(LimitKind::KvCalls).unwrap();
        let err = meter.charge_host_call(LimitKind::KvCalls).unwrap_err();
        assert_eq!(err.downcast_ref::<LimitExceeded>().unwrap().kind, LimitKind::KvCalls);
        assert_eq!(meter.usage().host_calls.kv, 1);
    }
}
