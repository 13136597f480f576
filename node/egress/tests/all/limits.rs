//! Hostile servers and oversized requests: response bombs (streamed, declared, in the headers),
//! slow loris (a head that never ends, a body that drips), a request above the cap.

use crate::support::servers::{Server, SlowLoris};
use crate::support::{Env, blocked, caller, get};
use redoubt_egress::{BlockReason, OutboundRequest, TimeoutStage};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_streamed_response_bomb_is_cut_at_the_cap() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|c| c.max_response_bytes = 4 << 20);
    let reason =
        blocked(gate.fetch(&caller(&["localhost"], &[]), get(&server.url("http", "localhost", "/bomb"))).await);
    assert_eq!(reason, BlockReason::ResponseTooLarge { limit: 4 << 20 });
    assert_eq!(env.only_block().reason, reason);
}

#[tokio::test]
async fn a_declared_huge_body_is_refused_without_reading_it() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|_| {});
    let started = Instant::now();
    let reason = blocked(
        gate.fetch(&caller(&["localhost"], &[]), get(&server.url("http", "localhost", "/bomb-declared"))).await,
    );
    assert_eq!(reason, BlockReason::ResponseTooLarge { limit: 8 << 20 });
    assert!(started.elapsed() < Duration::from_secs(10), "refused on the header, not after waiting for the body");
    env.only_block();
}

#[tokio::test]
async fn header_bombs_are_refused() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|_| {});
    for path in ["/many-headers", "/big-header"] {
        let reason =
            blocked(gate.fetch(&caller(&["localhost"], &[]), get(&server.url("http", "localhost", path))).await);
        assert_eq!(reason, BlockReason::ResponseTooLarge { limit: 64 << 10 }, "{path}");
    }
    assert_eq!(env.blocks().len(), 2);
}

#[tokio::test]
async fn a_slow_loris_head_runs_into_the_total_timeout() {
    let env = Env::new();
    let loris = SlowLoris::start().await;
    let gate = env.gate(|c| c.total_timeout = Duration::from_millis(1500));
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{}/", loris.addr.port());
    let reason = blocked(gate.fetch(&caller(&["127.0.0.1"], &[]), get(&url)).await);
    assert_eq!(reason, BlockReason::Timeout { stage: TimeoutStage::Response });
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(1500) && elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert_eq!(env.only_block().host, "127.0.0.1");
}

#[tokio::test]
async fn a_dripping_body_runs_into_the_total_timeout() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|c| c.total_timeout = Duration::from_millis(1500));
    let started = Instant::now();
    let reason =
        blocked(gate.fetch(&caller(&["localhost"], &[]), get(&server.url("http", "localhost", "/slow-body"))).await);
    assert_eq!(reason, BlockReason::Timeout { stage: TimeoutStage::Response });
    assert!(started.elapsed() < Duration::from_secs(10), "bounded by the total timeout, not by the server");
    env.only_block();
}

#[tokio::test]
async fn an_oversized_request_is_refused_before_anything_else() {
    let env = Env::new();
    let gate = env.gate(|c| c.max_request_bytes = 1 << 20);
    let request =
        OutboundRequest { method: "POST".into(), body: vec![b'x'; 2 << 20], ..get("http://localhost:1/upload") };
    let reason = blocked(gate.fetch(&caller(&["localhost"], &[]), request).await);
    assert!(matches!(reason, BlockReason::RequestTooLarge { limit, .. } if limit == 1 << 20), "{reason:?}");
    env.only_block();
}
