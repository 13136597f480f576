//! `redoubt`: the Redoubt node binary.

fn main() -> std::process::ExitCode {
    redoubt_node::cli::main()
}
