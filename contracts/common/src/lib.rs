//! Pieces shared by the Redoubt NEAR contracts (`redoubt-registry`, `redoubt-escrow`).
//!
//! - [`anchor`]: the receipt-batch anchor the registry stores and the escrow checks deliveries against.
//! - [`storage`]: storage-deposit accounting (measure growth, charge the one who caused it, refund the rest).
//! - [`hex_bytes`]: fixed-length byte strings that travel as lowercase hex in JSON and as raw bytes in borsh.
//! - [`events`]: NEP-297 event log lines (`EVENT_JSON:{"standard":..,"version":..,"event":..,"data":[..]}`).
//! - `testing` (feature `testing`): a simulated chain for the contracts' native unit tests.

pub mod anchor;
pub mod events;
pub mod hex_bytes;
pub mod storage;
#[cfg(all(feature = "testing", not(target_arch = "wasm32")))]
pub mod testing;

pub use anchor::Anchor;
pub use events::emit_event;
pub use hex_bytes::HexBytes;
pub use storage::{InsufficientDeposit, StorageMeter, refund, storage_cost, take_from_deposit};
