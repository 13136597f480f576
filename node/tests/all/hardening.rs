//! Issue 21, items 7 to 9, from the attacker's side: agent packages that point
//! outside themselves or block the reader, node files others could read, and
//! settings that would disarm or brick the node.
//!
//! - `packages`: `redoubt agent install DIR` reads regular files only, capped, and never echoes them.
//! - `modes`: the home is 0700 and every file in it 0600, repaired at start with a warning.
//! - `settings`: disarming settings are refused at start by name; a failing webhook is logged by host.

mod modes;
mod packages;
mod settings;
