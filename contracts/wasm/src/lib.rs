//! The Redoubt NEAR contracts, compiled to `wasm32-unknown-unknown` by this crate's `build.rs` (profile
//! `contract`: opt-level z, LTO, overflow checks, stripped; `--cfg near` from `.cargo/config.toml`) and
//! embedded, ready to deploy or to run in a NEAR VM (the node's local ledger, the tests).
//!
//! - [`REGISTRY_WASM`] / [`REGISTRY_WASM_SHA256`]: `redoubt-registry`, the node registry that verifies
//!   SEV-SNP evidence on chain and keeps receipt-batch anchors.
//! - [`ESCROW_WASM`] / [`ESCROW_WASM_SHA256`]: `redoubt-escrow`, the reputation-weighted job escrow.

/// The registry contract's wasm.
pub const REGISTRY_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/redoubt_registry.wasm"));
/// SHA-256 of [`REGISTRY_WASM`] (what NEAR reports as the code hash, base58-encoded).
pub const REGISTRY_WASM_SHA256: [u8; 32] = include!(concat!(env!("OUT_DIR"), "/redoubt_registry.sha256.rs"));
/// The escrow contract's wasm.
pub const ESCROW_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/redoubt_escrow.wasm"));
/// SHA-256 of [`ESCROW_WASM`].
pub const ESCROW_WASM_SHA256: [u8; 32] = include!(concat!(env!("OUT_DIR"), "/redoubt_escrow.sha256.rs"));
