//! Integration tests of the SEV-SNP verification core against real AMD reports.

mod data;
mod real_reports;
mod tampering;
mod wrong_chain;
