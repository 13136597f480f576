//! Host bindings generated from `wit/agent.wit`.
//!
//! The types of the world and the `run` export come from here; the host
//! imports are registered by hand ([`crate::calls`]) so that their byte and
//! string arguments are checked before they are copied out of guest memory.

wasmtime::component::bindgen!({
    path: "wit",
    world: "agent",
    imports: { default: async | trappable },
    exports: { default: async },
});
