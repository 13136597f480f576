//! What an agent may import: the host interfaces its manifest unlocks, and
//! WASI with nothing granted. Anything else is refused at load.

use crate::error::LoadError;
use crate::job_state::JobState;
use crate::manifest::{Capabilities, Interface};
use wasmtime::Engine;
use wasmtime::component::{Component, Linker};

/// Checks every import of `component` against the world and `capabilities`.
pub(crate) fn check_imports(
    engine: &Engine,
    component: &Component,
    capabilities: &Capabilities,
) -> Result<(), LoadError> {
    for (import, _) in component.component_type().imports(engine) {
        match Interface::from_import_name(import) {
            Some(interface) if capabilities.allows(interface) => {}
            Some(interface) => {
                return Err(LoadError::UndeclaredImport {
                    import: import.to_string(),
                    capability: interface.capability(),
                });
            }
            None if import.starts_with("wasi:") => {}
            None => return Err(LoadError::UnknownImport { import: import.to_string() }),
        }
    }
    Ok(())
}

/// A linker offering WASI (nothing granted) and the unlocked host interfaces only
/// ([`crate::calls`]).
pub(crate) fn linker_for(engine: &Engine, capabilities: &Capabilities) -> wasmtime::Result<Linker<JobState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    for interface in Interface::ALL.into_iter().filter(|i| capabilities.allows(*i)) {
        crate::calls::add_to_linker(&mut linker, interface)?;
    }
    Ok(linker)
}
