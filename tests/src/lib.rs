//! End-to-end tests across Redoubt's crates live in `tests/all/`: the whole
//! path from a job's intake to a verified receipt, with every crate real.
