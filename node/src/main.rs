//! `redoubt`: the Redoubt node binary (CLI, and later the daemon, HTTP API, egress gate, p2p, chain client).

mod cli;
mod home;

fn main() -> std::process::ExitCode {
    cli::main()
}
