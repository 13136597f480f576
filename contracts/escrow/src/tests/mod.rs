//! Unit tests of every method and every refusal, run on the small simulated chain in [`sim`], which
//! checks after every call that funds and storage are fully accounted for.

mod admin;
mod bidding;
mod delivery;
mod hiring;
mod props;
mod settling;
mod sim;
