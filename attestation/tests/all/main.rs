//! Integration tests of redoubt-attestation, written from the attacker's side.

mod common;
mod delegation;
mod evidence;
mod guest;
mod keys;
mod policy;
mod real_reports;
mod receipts;
mod replay;
