//! Huge host-call arguments, from the attacker's side: an agent hands the
//! host a request body, prompt, delegation input, log line or key-value
//! value far over its limit. The job ends with that limit's error (never a
//! bare trap) and the host implementation never sees the call; an argument
//! within its limit still goes through.

use crate::support::{limit_hit, load, output, run, sandbox};
use async_trait::async_trait;
use redoubt_sandbox::host::{CallContext, HostError, HttpHost, HttpRequest, HttpResponse};
use redoubt_sandbox::{HostServices, LimitKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// An HTTP host that counts the requests it is handed and refuses them all.
#[derive(Default)]
struct CountingHttp(AtomicUsize);

#[async_trait]
impl HttpHost for CountingHttp {
    async fn fetch(&self, _: &CallContext, _: HttpRequest) -> Result<HttpResponse, HostError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(HostError::Denied("counted".into()))
    }
}

#[tokio::test]
async fn every_huge_argument_ends_the_job_with_its_limit() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "huge-args");
    let limits = agent.limits().clone();
    let over = |limit: u64| (limit >> 20) + 1;
    for (input, kind) in [
        (format!("request {}", over(limits.request_bytes)), LimitKind::RequestBytes),
        (format!("prompt {}", over(limits.request_bytes)), LimitKind::RequestBytes),
        (format!("delegate {}", over(limits.request_bytes)), LimitKind::RequestBytes),
        (format!("log {}", over(limits.log_bytes)), LimitKind::LogBytes),
        (format!("kv {}", over(limits.kv_bytes)), LimitKind::KvBytes),
        (format!("alloc {}", over(limits.memory_bytes)), LimitKind::Memory),
    ] {
        let report = run(&sandbox, &agent, input.as_bytes()).await;
        assert_eq!(limit_hit(&report), kind, "{input}");
        assert_eq!(
            report.outcome.unwrap_err().to_string(),
            format!("limit exceeded: {kind} (limit {})", limits.get(kind).unwrap())
        );
    }
}

#[tokio::test]
async fn an_over_limit_request_never_reaches_the_host_and_one_within_it_does() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "huge-args");
    let http = Arc::new(CountingHttp::default());
    let services = HostServices { http: http.clone(), ..HostServices::local() };
    let report = sandbox.run(&agent, "over", b"request 2", services.clone()).await;
    assert_eq!(limit_hit(&report), LimitKind::RequestBytes);
    assert_eq!(http.0.load(Ordering::SeqCst), 0, "the host saw the over-limit request");

    let report = sandbox.run(&agent, "within", b"request 0", services).await;
    assert_eq!(output(&report), b"the host took it: Err(HostError::Denied(\"counted\"))");
    assert_eq!(http.0.load(Ordering::SeqCst), 1);

    let report = run(&sandbox, &agent, b"kv 0").await;
    assert_eq!(output(&report), b"the host took it: Ok(())");
}
