//! The state of one job's store: WASI with nothing granted, the meter, and the
//! host services the host calls ([`crate::calls`]) go to.

use crate::console::Console;
use crate::host::{CallContext, HostServices};
use crate::limits::Limits;
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
    /// Who is calling, handed to every host call.
    pub(crate) ctx: CallContext,
    /// The node's implementations of the host calls.
    pub(crate) host: HostServices,
    /// The agent's stdout and stderr, capped at its log limit.
    pub(crate) console: Console,
    /// What is left of the job's delegation budget, in micro-units.
    pub(crate) delegate_budget_left: u64,
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
