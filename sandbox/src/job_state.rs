//! The state of one job's store: WASI with nothing granted, the meter, and the
//! host services, with the generated host traits implemented on top of them.

use crate::bindings::redoubt::agent::{delegate, http, kv, llm, log, types};
use crate::console::Console;
use crate::host::{CallContext, HostError, HostServices, LogLevel};
use crate::limits::{LimitKind, Limits};
use crate::manifest::Capabilities;
use crate::meter::Meter;
use std::time::Duration;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// Everything a job's store holds.
pub(crate) struct JobState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) meter: Meter,
    ctx: CallContext,
    host: HostServices,
    /// The agent's stdout and stderr, capped at its log limit.
    pub(crate) console: Console,
    /// What is left of the job's delegation budget, in micro-units.
    delegate_budget_left: u64,
}

impl JobState {
    /// State for one job of an agent with these capabilities and limits.
    pub(crate) fn new(ctx: CallContext, host: HostServices, limits: Limits) -> Self {
        let console = Console::new(limits.log_bytes);
        JobState {
            wasi: wasi_granting_nothing(&ctx.capabilities, &console),
            table: ResourceTable::new(),
            meter: Meter::new(limits),
            delegate_budget_left: ctx.capabilities.delegate_budget_micros,
            ctx,
            host,
            console,
        }
    }
}

/// A WASI context with no files, environment, arguments, sockets or stdin;
/// stdout and stderr go to the capped console. Without the manifest's
/// `clock` capability the clocks are frozen at zero, and without `random`
/// the random sources are a fixed sequence.
fn wasi_granting_nothing(caps: &Capabilities, console: &Console) -> WasiCtx {
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdout(console.clone())
        .stderr(console.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }));
    if !caps.clock {
        builder.wall_clock(FrozenClock).monotonic_clock(FrozenClock);
    }
    if !caps.random {
        const FIXED: &[u8] = b"redoubt: no randomness was granted to this agent";
        builder
            .secure_random(wasmtime_wasi::Deterministic::new(FIXED.to_vec()))
            .insecure_random(wasmtime_wasi::Deterministic::new(FIXED.to_vec()))
            .insecure_random_seed(0);
    }
    builder.build()
}

/// A clock that always reads zero.
struct FrozenClock;

impl wasmtime_wasi::HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl wasmtime_wasi::HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

impl WasiView for JobState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl types::Host for JobState {}

impl http::Host for JobState {
    async fn fetch(&mut self, req: http::Request) -> wasmtime::Result<Result<http::Response, HostError>> {
        self.meter.charge_host_call(LimitKind::HttpCalls)?;
        Ok(self.host.http.clone().fetch(&self.ctx, req).await)
    }
}

impl llm::Host for JobState {
    async fn complete(&mut self, req: llm::CompletionRequest) -> wasmtime::Result<Result<llm::Completion, HostError>> {
        self.meter.charge_host_call(LimitKind::LlmCalls)?;
        Ok(self.host.llm.clone().complete(&self.ctx, req).await)
    }
}

impl kv::Host for JobState {
    async fn get(&mut self, key: String) -> wasmtime::Result<Result<Option<Vec<u8>>, HostError>> {
        self.meter.charge_host_call(LimitKind::KvCalls)?;
        Ok(self.host.kv.clone().get(&self.ctx, key).await)
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> wasmtime::Result<Result<(), HostError>> {
        self.meter.charge_host_call(LimitKind::KvCalls)?;
        Ok(self.host.kv.clone().set(&self.ctx, key, value).await)
    }

    async fn delete(&mut self, key: String) -> wasmtime::Result<Result<(), HostError>> {
        self.meter.charge_host_call(LimitKind::KvCalls)?;
        Ok(self.host.kv.clone().delete(&self.ctx, key).await)
    }
}

impl delegate::Host for JobState {
    async fn hire(
        &mut self,
        req: delegate::Delegation,
    ) -> wasmtime::Result<Result<delegate::DelegationResult, HostError>> {
        self.meter.charge_host_call(LimitKind::DelegateCalls)?;
        let reserved = req.max_price_micros;
        if reserved > self.delegate_budget_left {
            return Ok(Err(HostError::LimitExceeded(format!(
                "max-price-micros {reserved} is above what is left of this job's delegate budget ({})",
                self.delegate_budget_left
            ))));
        }
        self.delegate_budget_left -= reserved;
        let result = self.host.delegate.clone().hire(&self.ctx, req).await;
        // Give back what was reserved but not spent; a worker that charged more
        // than the reservation is the delegate host's error to report, and the
        // budget stays spent.
        let spent = result.as_ref().map_or(0, |r| r.price_micros.min(reserved));
        self.delegate_budget_left += reserved - spent;
        Ok(result)
    }
}

impl log::Host for JobState {
    async fn write(&mut self, level: LogLevel, message: String) -> wasmtime::Result<()> {
        self.meter.charge_log_line(message.len())?;
        self.host.log.write(&self.ctx, level, &message);
        Ok(())
    }
}
