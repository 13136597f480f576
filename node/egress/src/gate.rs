//! `Gate`: the one function through which bytes leave the node on an agent's behalf.
//!
//! For the agent's request, and again for every redirect hop:
//! 1. size cap, then the leak scan of everything the agent (or, for a hop, the server's
//!    `Location`) wrote: method, URL, header names and values, body ([`crate::leak_scan`]), and
//!    the deep check of the same for the secrets the agent may use ([`crate::reflection`]);
//! 2. the URL rules ([`crate::target`]) and the allowlist ([`crate::allowlist`]);
//! 3. the method and header rules ([`crate::headers`]);
//! 4. DNS through [`Resolve`], every answer checked ([`crate::address`]);
//! 5. grants from the vault, injected into this hop only ([`crate::inject`]);
//! 6. one exchange over a fresh connection to a checked address ([`crate::transport`]);
//! 7. a redirect starts the next hop ([`crate::redirect`]); at most `max_redirects`;
//! 8. the final body (capped) is decoded from its content coding ([`crate::content_coding`]); the
//!    response is refused if it carries a secret the agent may use, in any form the deep check
//!    undoes ([`crate::reflection`]); headers and body are redacted of every other vault secret
//!    ([`crate::redact`]);
//! 9. text is scanned for prompt-injection markers and tagged ([`crate::prompt_guard`]).
//!
//! The leak scan runs first rather than after DNS (where the list puts it) so that nothing
//! the agent wrote reaches a resolver, an error message or a log line before it has been scanned.
//! Every block is reported once to the [`BlockSink`] and as a `warn` tracing event.

use crate::address;
use crate::allowlist;
use crate::block::{BlockEvent, BlockReason, BlockSink, Blocked, TimeoutStage};
use crate::config::GateConfig;
use crate::content_coding;
use crate::error::GateError;
use crate::headers;
use crate::inject::{self, Freshness, Injected, SharedVault};
use crate::leak_scan;
use crate::prompt_guard;
use crate::redact;
use crate::redirect;
use crate::reflection::{self, Place};
use crate::request::{Caller, InboundResponse, OutboundRequest};
use crate::resolve::Resolve;
use crate::target::{Target, TargetHost};
use crate::tls;
use crate::transport::{self, Failure, Reply};
use bytes::Bytes;
use http::header::{CONTENT_ENCODING, CONTENT_TYPE, HOST, HeaderValue};
use http::{HeaderMap, StatusCode};
use http_body_util::Full;
use redoubt_vault::{DeepScanner, LeakDetector, Vault};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;

/// The egress gate. Cheap to share behind an `Arc`; every call is independent.
pub struct Gate {
    config: GateConfig,
    vault: SharedVault,
    resolver: Arc<dyn Resolve>,
    sink: Arc<dyn BlockSink>,
    connector: TlsConnector,
    freshness: Freshness,
}

/// Why a request stopped, before the host and hop are attached.
enum Stop {
    Block(BlockReason),
    Upstream(String),
    Other(GateError),
}

impl From<GateError> for Stop {
    fn from(e: GateError) -> Stop {
        Stop::Other(e)
    }
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Stop {
        match f {
            Failure::Blocked(reason) => Stop::Block(reason),
            Failure::Upstream(why) => Stop::Upstream(why),
        }
    }
}

/// How far a request got: what a block is reported against.
#[derive(Default)]
struct Progress {
    host: String,
    hop: u8,
    scanners: Option<Scanners>,
}

/// One hop, checked and ready to send.
struct Ready {
    target: Target,
    addrs: Vec<IpAddr>,
    request: http::Request<Full<Bytes>>,
    injected: Injected,
}

/// Messages up to this size are checked, redacted and tagged in place; larger ones on the
/// blocking pool (the prompt-injection heuristics read a MiB in tens of milliseconds).
const INLINE_SCAN_BYTES: usize = 64 << 10;

/// The secrets' checks for one request: every vault secret (the fast leak scan and redaction)
/// and those the agent may use (the deep check).
#[derive(Clone)]
struct Scanners {
    detector: Arc<LeakDetector>,
    deep: Arc<DeepScanner>,
}

/// A response as read, its body decoded.
struct Received {
    status: StatusCode,
    headers: HeaderMap,
    trailers: HeaderMap,
    body: Vec<u8>,
    is_text: bool,
}

/// Steps 8b to 9 on a received response: refused if it carries a secret the agent may use;
/// otherwise redacted of every other secret and tagged.
fn inspect(scanners: &Scanners, received: Received) -> Result<InboundResponse, BlockReason> {
    if !scanners.deep.is_empty() {
        let message =
            reflection::response_message(received.status, &received.headers, &received.trailers, &received.body);
        reflection::check(&scanners.deep, &message, Place::Response)?;
    }
    let headers = redact::headers(&scanners.detector, &received.headers);
    let body = redact::body(&scanners.detector, received.body);
    let tags = match received.is_text {
        true => prompt_guard::tags(&String::from_utf8_lossy(&body)),
        false => Vec::new(),
    };
    Ok(InboundResponse { status: received.status.as_u16(), headers, body, tags })
}

/// Runs `f` in place for small messages, on the blocking pool for large ones.
async fn off_runtime<T: Send + 'static>(
    size: usize,
    f: impl FnOnce() -> Result<T, BlockReason> + Send + 'static,
) -> Result<T, Stop> {
    if size <= INLINE_SCAN_BYTES {
        return f().map_err(Stop::Block);
    }
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(Stop::Block),
        Err(e) => Err(Stop::Other(GateError::Internal(format!("message scan failed: {e}")))),
    }
}

impl Gate {
    /// A gate with the operator's `config`, the node's `vault`, a resolver (production:
    /// [`crate::SystemResolver`]) and the node's block sink.
    pub fn new(
        config: GateConfig,
        vault: Arc<Mutex<Vault>>,
        resolver: Arc<dyn Resolve>,
        sink: Arc<dyn BlockSink>,
    ) -> Result<Gate, GateError> {
        let connector = tls::connector(&config.tls_roots).map_err(|e| GateError::Internal(format!("TLS: {e}")))?;
        Ok(Gate { config, vault, resolver, sink, connector, freshness: Freshness::new() })
    }

    /// The operator's settings this gate enforces.
    pub fn config(&self) -> &GateConfig {
        &self.config
    }

    /// Sends `request` for `caller` if every check passes, and returns the redacted, tagged
    /// response. A refusal is a [`GateError::Blocked`], already reported to the block sink.
    pub async fn fetch(&self, caller: &Caller, request: OutboundRequest) -> Result<InboundResponse, GateError> {
        let mut progress = Progress::default();
        let deadline = Instant::now() + self.config.total_timeout;
        let outcome = tokio::time::timeout_at(deadline, self.run(caller, request, &mut progress)).await;
        let stop = match outcome {
            Ok(Ok(response)) => return Ok(response),
            Ok(Err(stop)) => stop,
            Err(_) => Stop::Block(BlockReason::Timeout { stage: TimeoutStage::Response }),
        };
        Err(match stop {
            Stop::Block(reason) => GateError::Blocked(self.report(caller, progress, reason)),
            Stop::Upstream(why) => GateError::Upstream { host: progress.host, why },
            Stop::Other(error) => error,
        })
    }

    async fn run(
        &self,
        caller: &Caller,
        request: OutboundRequest,
        progress: &mut Progress,
    ) -> Result<InboundResponse, Stop> {
        let detector = inject::detector(&self.vault, &self.freshness).await?;
        let scanners = Scanners { detector, deep: inject::deep_scanner(&self.vault, caller).await? };
        progress.scanners = Some(scanners.clone());
        let mut current = request;
        loop {
            let ready = self.prepare(caller, &current, &scanners, progress).await?;
            let reply = transport::exchange(
                &self.connector,
                &ready.target,
                &ready.addrs,
                ready.request,
                self.config.connect_timeout,
            )
            .await?;
            tracing::debug!(
                target: "redoubt::egress",
                job = %caller.job_id, agent = %caller.agent_name, host = %progress.host, hop = progress.hop,
                status = reply.status.as_u16(), injected = ?ready.injected.names, "egress exchange"
            );
            let Some(next) = redirect::location(reply.status, &reply.headers, &ready.target.url) else {
                return self.finish(reply, &scanners).await;
            };
            let next = redirect::without_params(next.map_err(Stop::Block)?, &ready.injected.query_params);
            if progress.hop >= self.config.max_redirects {
                return Err(Stop::Block(BlockReason::TooManyRedirects { limit: self.config.max_redirects }));
            }
            let same_origin = Target::parse(next.as_str(), &self.config).is_ok_and(|t| t.same_origin(&ready.target));
            current = redirect::follow(&current, reply.status, &next, same_origin);
            progress.hop += 1;
        }
    }

    /// Steps 1 to 5 for one hop.
    async fn prepare(
        &self,
        caller: &Caller,
        request: &OutboundRequest,
        scanners: &Scanners,
        progress: &mut Progress,
    ) -> Result<Ready, Stop> {
        let size = request.url.len()
            + request.method.len()
            + request.headers.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
            + request.body.len();
        if size > self.config.max_request_bytes {
            return Err(Stop::Block(BlockReason::RequestTooLarge {
                bytes: size,
                limit: self.config.max_request_bytes,
            }));
        }
        let parsed = Target::parse(&request.url, &self.config);
        progress.host = parsed.as_ref().map(Target::host_str).unwrap_or_default();
        let sent_url = parsed.as_ref().ok().map(|t| t.url.as_str());
        if let Some(leak) = leak_scan::scan(&scanners.detector, request, sent_url) {
            return Err(Stop::Block(leak));
        }
        if !scanners.deep.is_empty() {
            let message = reflection::request_message(request, sent_url);
            let deep = Arc::clone(&scanners.deep);
            off_runtime(message.len(), move || reflection::check(&deep, &message, Place::Request)).await?;
        }
        let mut target = parsed.map_err(Stop::Block)?;
        let host = target.host_str();
        if !allowlist::allowed(&host, &caller.hosts, &self.config.operator_hosts) {
            return Err(Stop::Block(BlockReason::HostNotAllowed));
        }
        let method = headers::method(&request.method).map_err(Stop::Block)?;
        let authority = target.authority();
        let mut header_map = headers::prepare(&request.headers, request.body.len(), &authority).map_err(Stop::Block)?;
        let addrs = self.addresses(&target).await?;
        let grants = inject::grants(&self.vault, caller, &host).await?;
        let injected = inject::inject(&grants, &mut target.url, &mut header_map).map_err(GateError::from)?;
        drop(grants);
        let authority = HeaderValue::from_str(&authority).map_err(|e| GateError::Internal(e.to_string()))?;
        header_map.insert(HOST, authority);
        let mut builder = http::Request::builder().method(method).uri(target.path_and_query());
        if let Some(h) = builder.headers_mut() {
            *h = header_map;
        }
        let request = builder
            .body(Full::new(Bytes::from(request.body.clone())))
            .map_err(|e| GateError::Internal(format!("building the request: {e}")))?;
        Ok(Ready { target, addrs, request, injected })
    }

    /// Step 4: the addresses to connect to, every one checked.
    async fn addresses(&self, target: &Target) -> Result<Vec<IpAddr>, Stop> {
        let addrs = match &target.host {
            TargetHost::Ip(ip) => vec![*ip],
            TargetHost::Name(name) => {
                let dns_failure = |why: String| Stop::Block(BlockReason::DnsFailure { why });
                match tokio::time::timeout(self.config.connect_timeout, self.resolver.resolve(name)).await {
                    Err(_) => return Err(dns_failure("timed out".to_string())),
                    Ok(Err(e)) => return Err(dns_failure(e.to_string())),
                    Ok(Ok(addrs)) if addrs.is_empty() => return Err(dns_failure("no addresses".to_string())),
                    Ok(Ok(addrs)) => addrs,
                }
            }
        };
        match address::first_refused(&addrs, self.config.allow_loopback) {
            Some((addr, class)) => Err(Stop::Block(BlockReason::AddressRefused { addr, class })),
            None => Ok(addrs),
        }
    }

    /// Steps 8 and 9: the body read and decoded, then checked, redacted and tagged.
    async fn finish(&self, reply: Reply, scanners: &Scanners) -> Result<InboundResponse, Stop> {
        let (status, mut headers) = (reply.status, reply.headers.clone());
        let is_text = prompt_guard::is_text(headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()));
        let max = self.config.max_response_bytes;
        let (body, trailers) = reply.read_body(max).await?;
        // A compressed body's decoded size is unknown until it is decoded: off the runtime.
        let size = match headers.contains_key(CONTENT_ENCODING) {
            true => usize::MAX,
            false => body.len(),
        };
        let scanners = scanners.clone();
        off_runtime(size, move || {
            let body = content_coding::decode(&mut headers, body, max)?;
            inspect(&scanners, Received { status, headers, trailers, body, is_text })
        })
        .await
    }

    /// Reports a block to the sink and the log, and returns it.
    fn report(&self, caller: &Caller, progress: Progress, reason: BlockReason) -> Blocked {
        let host = match &progress.scanners {
            // A host that carries a secret in a form only the deep check reads is not quoted.
            Some(s) if !matches!(s.deep.check(progress.host.as_bytes()), Ok(None)) => "[withheld]".to_string(),
            Some(s) => String::from_utf8_lossy(&s.detector.redact(progress.host.as_bytes())).into_owned(),
            None => progress.host,
        };
        let blocked = Blocked { host, hop: progress.hop, reason };
        let secret = blocked.secret().map(str::to_string);
        tracing::warn!(
            target: "redoubt::egress",
            job = %caller.job_id, agent = %caller.agent_name, host = %blocked.host, hop = blocked.hop,
            secret = secret.as_deref().unwrap_or(""), "egress blocked: {}", blocked.reason
        );
        self.sink.blocked(&BlockEvent {
            job_id: caller.job_id.clone(),
            agent: caller.agent_name.clone(),
            code_hash: caller.code_hash,
            host: blocked.host.clone(),
            hop: blocked.hop,
            reason: blocked.reason.clone(),
            secret,
            at: SystemTime::now(),
        });
        blocked
    }
}
