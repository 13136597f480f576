//! End-to-end tests across crates live in `tests/all/`; this library holds their shared fixtures.
