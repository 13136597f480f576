//! End-to-end tests across the crates: sandbox, vault, egress gate,
//! attestation and node together, as README's main job runs them.

mod demo;
