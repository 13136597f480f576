//! The NEAR contracts compiled to wasm32-unknown-unknown, embedded for tests and the local ledger.
