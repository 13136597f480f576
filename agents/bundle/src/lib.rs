//! The agents built into Redoubt: the examples users start from, and the
//! hostile agents the tests (and `redoubt demo`) throw at the node.
//!
//! `build.rs` compiles the guest workspace in `agents/` for `wasm32-wasip2`
//! (and assembles the hostile agents written as component WAT) during the
//! host's normal build; this crate embeds each component with its manifest.

/// What an embedded agent is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentKind {
    /// A working example (`agents/examples/`).
    Example,
    /// An attacker used by tests and the demo (`agents/hostile/`).
    Hostile,
}

/// One embedded agent package.
#[derive(Debug)]
pub struct BuiltAgent {
    /// The agent's name (its directory name and manifest name).
    pub name: &'static str,
    /// Example or hostile.
    pub kind: AgentKind,
    /// The manifest (TOML text).
    pub manifest: &'static str,
    /// The WebAssembly component.
    pub component: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/agents.rs"));

/// Every embedded agent, examples first, each group by name.
pub fn all() -> &'static [BuiltAgent] {
    ALL
}

/// The embedded agent called `name`.
pub fn find(name: &str) -> Option<&'static BuiltAgent> {
    ALL.iter().find(|agent| agent.name == name)
}

/// The example agents.
pub fn examples() -> impl Iterator<Item = &'static BuiltAgent> {
    ALL.iter().filter(|agent| agent.kind == AgentKind::Example)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_agent_has_a_component_and_a_manifest_naming_it() {
        assert!(find("echo").is_some() && find("exfiltrator").is_some());
        for agent in all() {
            assert!(agent.component.starts_with(b"\0asm"), "{} is not wasm", agent.name);
            assert!(agent.manifest.contains(&format!("name = \"{}\"", agent.name)), "{}", agent.name);
        }
    }
}
