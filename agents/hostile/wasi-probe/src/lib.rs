//! Tries every WASI door a Rust program can reach (files, environment,
//! arguments, stdin, TCP and UDP sockets, clocks, randomness) and reports, as
//! JSON, what each attempt returned: `{"ok": value}` or `{"err": message}`.

use serde_json::{Value, json};
use std::io::Read;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

struct WasiProbe;

fn probe<T: Into<Value>, E: std::fmt::Display>(result: Result<T, E>) -> Value {
    match result {
        Ok(value) => json!({ "ok": value.into() }),
        Err(error) => json!({ "err": error.to_string() }),
    }
}

fn list_dir(path: &str) -> std::io::Result<Vec<String>> {
    std::fs::read_dir(path)?.map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned())).collect()
}

fn monotonic_elapsed_nanos() -> u64 {
    let start = Instant::now();
    let mut spin = 0u64;
    for i in 0..200_000u64 {
        spin = std::hint::black_box(spin.wrapping_add(i));
    }
    start.elapsed().as_nanos() as u64
}

impl redoubt_sdk::Agent for WasiProbe {
    fn run(_input: Vec<u8>) -> Result<Vec<u8>, String> {
        let mut stdin = String::new();
        let report = json!({
            "env_vars": probe::<_, String>(Ok(std::env::vars().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>())),
            "args": probe::<_, String>(Ok(std::env::args().collect::<Vec<_>>())),
            "read_dir_root": probe(list_dir("/")),
            "read_dir_cwd": probe(list_dir(".")),
            "read_etc_passwd": probe(std::fs::read_to_string("/etc/passwd")),
            "write_file": probe(std::fs::write("probe.txt", b"written").map(|()| "written")),
            "stdin": probe(std::io::stdin().read_to_string(&mut stdin).map(|_| stdin.clone())),
            "tcp_connect": probe(std::net::TcpStream::connect("127.0.0.1:80").map(|_| "connected")),
            "udp_bind": probe(std::net::UdpSocket::bind("0.0.0.0:0").map(|_| "bound")),
            "wall_clock_nanos": probe(SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64)),
            "monotonic_elapsed_nanos": probe::<_, String>(Ok(monotonic_elapsed_nanos())),
            "random_hex": hex_string(&wasi::random::random::get_random_bytes(16)),
        });
        serde_json::to_vec(&report).map_err(|e| e.to_string())
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

redoubt_sdk::export!(WasiProbe);
