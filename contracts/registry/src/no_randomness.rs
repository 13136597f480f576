//! The contract never needs randomness, but `rand_core` (under the SEV-SNP core's crypto) links
//! `getrandom`, which on `wasm32-unknown-unknown` needs a source: this one always fails, so nothing can
//! quietly draw predictable "randomness" on chain.

use getrandom::Error;

fn refuse(_buf: &mut [u8]) -> Result<(), Error> {
    Err(Error::UNSUPPORTED)
}

getrandom::register_custom_getrandom!(refuse);
