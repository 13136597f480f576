//! Integration tests of the redoubt binary, run as a real process: the
//! daemon on 127.0.0.1 driven over HTTP and by the CLI, and the offline
//! verification commands.

mod api;
mod arguments;
mod cli;
mod crash;
mod hardening;
mod jobs;
mod kv;
mod openapi;
mod secrets;
mod support;
mod surfaces;
mod verify_cli;
mod webhook;
