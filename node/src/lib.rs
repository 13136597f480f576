//! The Redoubt node: the `redoubt` binary's library.
//!
//! - [`home`]: where a node keeps its files.
//! - [`cli`]: the command line, one module per command group.

pub mod cli;
pub mod home;
