//! SEV-SNP report verification core: no I/O, builds for wasm32-unknown-unknown (used on chain and off).
