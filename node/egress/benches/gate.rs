//! The gate's overhead against a direct request to the same local server.
//!
//! One HTTP/1.1 server on 127.0.0.1 answers a small JSON body. Three clients send the same POST
//! (a 1 KiB JSON body) over a fresh connection per request, as the gate does:
//! - `direct`: a plain hyper 1 client connection, no checks;
//! - `gate`: `Gate::fetch` with a vault of 1,000 secrets (every request and response is scanned
//!   for all of them), no secret declared by the caller;
//! - `gate + inject`: the same, with one secret granted and injected per request (the secret has
//!   no use limit: the vault checks with one `fstat` that its file is current and counts the use
//!   in memory).
//!
//! `cargo bench -p redoubt-egress --bench gate` prints p50 and p99 latency and the ratio to
//! `direct`. Set `GATE_BENCH_ITERATIONS` to change the sample count (default 2,000).

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use redoubt_egress::{BlockEvent, BlockSink, Caller, Gate, GateConfig, OutboundRequest, Ports, Resolve};
use redoubt_vault::{AgentMatcher, HostPattern, Injection, MasterKey, Policy, SecretValue, Vault};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

const HOST: &str = "bench.redoubt.test";
const SECRETS: usize = 1_000;

struct Loopback;

#[async_trait]
impl Resolve for Loopback {
    async fn resolve(&self, _: &str) -> std::io::Result<Vec<IpAddr>> {
        Ok(vec![IpAddr::from([127, 0, 0, 1])])
    }
}

struct Panicking;

impl BlockSink for Panicking {
    fn blocked(&self, event: &BlockEvent) {
        panic!("the benchmark's requests must not be blocked: {:?}", event.reason);
    }
}

fn main() {
    let iterations: usize = std::env::var("GATE_BENCH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(run(iterations));
}

async fn run(iterations: usize) {
    let addr = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let vault = vault(dir.path());
    let patterns = vault.leak_detector().pattern_count();
    eprintln!("vault: {SECRETS} secrets, {patterns} leak patterns, built in {:.1?}", started.elapsed());
    let config = GateConfig {
        allow_http: true,
        allow_loopback: true,
        operator_hosts: vec![HostPattern::parse(HOST).unwrap()],
        ports: Ports::Any,
        ..GateConfig::default()
    };
    let gate = Gate::new(config, Arc::new(Mutex::new(vault)), Arc::new(Loopback), Arc::new(Panicking)).unwrap();
    let body = format!("{{\"query\":\"{}\"}}", "weather in Oslo tomorrow ".repeat(40)).into_bytes();
    let request = OutboundRequest {
        method: "POST".into(),
        url: format!("http://{HOST}:{}/v1/forecast", addr.port()),
        headers: vec![("content-type".into(), "application/json".into()), ("accept".into(), "application/json".into())],
        body: body.clone(),
    };
    let plain = caller(&[]);
    let injecting = caller(&["secret-0000"]);

    // The three clients take turns request by request, so that drift in the machine's state
    // (frequency, caches, other load) falls on every row alike.
    let rows = interleaved(iterations, |turn| {
        let (request, plain, injecting, body) = (request.clone(), &plain, &injecting, body.clone());
        let gate = &gate;
        async move {
            match turn {
                0 => direct(addr, body).await,
                1 => assert_eq!(gate.fetch(plain, request).await.unwrap().status, 200),
                _ => assert_eq!(gate.fetch(injecting, request).await.unwrap().status, 200),
            }
        }
    })
    .await;
    let [direct, gated, injected] = rows;

    println!(
        "\ngate overhead, {iterations} requests each (interleaved), 1 KiB POST body, fresh connection per request, 127.0.0.1"
    );
    println!("{:<16} {:>10} {:>10} {:>12}", "client", "p50 (us)", "p99 (us)", "p50 / direct");
    for (name, times) in [("direct", &direct), ("gate", &gated), ("gate + inject", &injected)] {
        let ratio = percentile(times, 50).as_secs_f64() / percentile(&direct, 50).as_secs_f64();
        println!(
            "{name:<16} {:>10.1} {:>10.1} {ratio:>11.2}x",
            micros(percentile(times, 50)),
            micros(percentile(times, 99)),
        );
    }
    prompt_guard_throughput();
}

/// Throughput of the prompt-injection heuristics on ordinary page text of a few sizes.
fn prompt_guard_throughput() {
    let paragraph = "<p>The forecast for Oslo: light rain in the morning, clearing by noon; winds from the \
                     south-west at 12 km/h. Read the <a href=\"/docs\">installation guide</a> before you \
                     begin, and ignore the lint warning on line 12.</p>\n";
    println!("\nprompt-injection heuristics on benign HTML");
    println!("{:<10} {:>12} {:>10}", "size", "time (ms)", "MB/s");
    for size in [16 << 10, 256 << 10, 1 << 20] {
        let text = paragraph.repeat(size / paragraph.len() + 1);
        let started = Instant::now();
        let runs = 5;
        for _ in 0..runs {
            assert!(!redoubt_egress::prompt_guard::assess(&text).suspected());
        }
        let each = started.elapsed() / runs;
        println!(
            "{:<10} {:>12.2} {:>10.1}",
            format!("{} KiB", size >> 10),
            each.as_secs_f64() * 1e3,
            text.len() as f64 / each.as_secs_f64() / 1e6
        );
    }
}

fn caller(secrets: &[&str]) -> Caller {
    Caller {
        job_id: "bench".into(),
        agent_name: "bench".into(),
        code_hash: [1; 32],
        hosts: vec![HOST.into()],
        secrets: secrets.iter().map(|s| s.to_string()).collect(),
    }
}

/// A vault of [`SECRETS`] random secrets; `secret-0000` may go to [`HOST`] for agent `bench`.
fn vault(dir: &std::path::Path) -> Vault {
    let mut vault = Vault::create(dir.join("vault.json"), MasterKey::from_sealing_key([7; 32])).unwrap();
    for i in 0..SECRETS {
        let value: String = (0..32).map(|_| char::from(b'a' + rand::random::<u8>() % 26)).collect();
        let policy = Policy::new(
            vec![HostPattern::parse(if i == 0 { HOST } else { "other.redoubt.test" }).unwrap()],
            vec![AgentMatcher::Name("bench".into())],
            Injection::Bearer,
        );
        vault.add(&format!("secret-{i:04}"), SecretValue::new(value.into_bytes()), policy).unwrap();
    }
    vault
}

/// The server: answers every request with a small JSON body.
async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|request: http::Request<hyper::body::Incoming>| async move {
                    let _ = request.into_body().collect().await;
                    let body =
                        Full::new(Bytes::from_static(br#"{"city":"Oslo","temp_c":4.5,"conditions":"light rain"}"#));
                    Ok::<_, std::convert::Infallible>(
                        http::Response::builder().header("content-type", "application/json").body(body).unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tcp), service).await;
            });
        }
    });
    addr
}

/// The baseline: one request over a fresh hyper connection, no checks.
async fn direct(addr: SocketAddr, body: Vec<u8>) {
    let tcp = TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await.unwrap();
    let driver = tokio::spawn(connection);
    let request = http::Request::post("/v1/forecast")
        .header("host", format!("{HOST}:{}", addr.port()))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
    driver.abort();
}

/// Runs `job(0)`, `job(1)`, `job(2)` in turn, `iterations` times each after a warm-up, and
/// returns each one's sorted latencies.
async fn interleaved<F, Fut>(iterations: usize, mut job: F) -> [Vec<Duration>; 3]
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for round in 0..iterations / 10 {
        job(round % 3).await;
    }
    let mut rows: [Vec<Duration>; 3] = Default::default();
    for _ in 0..iterations {
        for (turn, row) in rows.iter_mut().enumerate() {
            let started = Instant::now();
            job(turn).await;
            row.push(started.elapsed());
        }
    }
    for row in &mut rows {
        row.sort();
    }
    rows
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
