//! Tests of the test CA: its chain and reports verify through `redoubt-snp` with its roots only.

mod chain;
mod reports;
