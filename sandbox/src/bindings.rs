//! Host bindings generated from `wit/agent.wit`.
//!
//! Every import is async (host calls may do I/O without blocking the thread)
//! and trappable (the host can stop the job, e.g. when a call limit is hit).

wasmtime::component::bindgen!({
    path: "wit",
    world: "agent",
    imports: { default: async | trappable },
    exports: { default: async },
});
