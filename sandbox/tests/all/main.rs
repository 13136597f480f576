//! The sandbox's integration tests: real wasmtime, real agents built for wasm32-wasip2.

mod arguments;
mod cache;
mod capabilities;
mod examples;
mod hostile;
mod isolation;
mod support;
