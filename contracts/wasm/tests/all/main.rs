//! Integration tests: the contracts' wasm artifacts in the real NEAR VM.

mod chain;
mod deploy;
mod escrow_vm;
mod features;
mod gas;
mod registry_real;
mod registry_vm;
mod testdata;
