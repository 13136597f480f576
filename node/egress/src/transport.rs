//! Step 6 (wire side): one HTTP/1.1 exchange over a fresh connection to an address that was
//! already checked. TCP to the `SocketAddr`, TLS with the URL's host as the name, a hyper 1 client
//! connection over it; the response head is bounded (size and header count) and the body is read
//! frame by frame up to the cap, where reading stops.
//!
//! Connections are never pooled or reused: each request, and each redirect hop, connects anew,
//! so no connection is shared between agents or outlives the request that made it.

use crate::block::{BlockReason, TimeoutStage};
use crate::target::Target;
use crate::tls;
use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The most bytes of a response head (status line and headers).
pub(crate) const MAX_HEAD_BYTES: usize = 64 << 10;
/// The most response headers.
const MAX_HEADERS: usize = 128;

/// A response head, its body still to read.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Incoming,
    _driver: AbortOnDrop<hyper::Result<()>>,
}

impl Reply {
    /// Reads the body and any trailers, stopping with `ResponseTooLarge` as soon as the body would
    /// exceed `max` (at once when `Content-Length` already says so).
    pub async fn read_body(mut self, max: usize) -> Result<(Vec<u8>, HeaderMap), Failure> {
        let too_large = || Failure::Blocked(BlockReason::ResponseTooLarge { limit: max });
        let declared = self.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > max as u64) {
            return Err(too_large());
        }
        let mut out = Vec::new();
        let mut trailers = HeaderMap::new();
        while let Some(frame) = self.body.frame().await {
            match frame.map_err(hyper_failure)?.into_data() {
                Ok(data) if out.len() + data.len() > max => return Err(too_large()),
                Ok(data) => out.extend_from_slice(&data),
                Err(frame) => trailers.extend(frame.into_trailers().unwrap_or_default()),
            }
        }
        Ok((out, trailers))
    }
}

/// Why an exchange produced no reply.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A limit: a timeout or a size cap.
    Blocked(BlockReason),
    /// A network, TLS or protocol failure.
    Upstream(String),
}

/// Connects to the first of `addrs` that answers (all were checked), sends `request`, and reads
/// the response head. `connect_timeout` bounds the TCP connect and the TLS handshake.
pub(crate) async fn exchange(
    connector: &TlsConnector,
    target: &Target,
    addrs: &[IpAddr],
    request: Request<Full<Bytes>>,
    connect_timeout: Duration,
) -> Result<Reply, Failure> {
    let tcp = connect(target.port, addrs, connect_timeout).await?;
    if !target.tls {
        return send(tcp, request).await;
    }
    let name = tls::server_name(&target.host).map_err(Failure::Upstream)?;
    let tls = match tokio::time::timeout(connect_timeout, connector.connect(name, tcp)).await {
        Err(_) => return Err(Failure::Blocked(BlockReason::Timeout { stage: TimeoutStage::Connecting })),
        Ok(Err(e)) => return Err(Failure::Upstream(format!("TLS: {e}"))),
        Ok(Ok(tls)) => tls,
    };
    send(tls, request).await
}

async fn connect(port: u16, addrs: &[IpAddr], timeout: Duration) -> Result<TcpStream, Failure> {
    let mut last = Failure::Upstream("no address to connect to".to_string());
    for &ip in addrs {
        match tokio::time::timeout(timeout, TcpStream::connect(SocketAddr::new(ip, port))).await {
            Err(_) => last = Failure::Blocked(BlockReason::Timeout { stage: TimeoutStage::Connecting }),
            Ok(Err(e)) => last = Failure::Upstream(format!("connecting to {ip} port {port}: {e}")),
            Ok(Ok(tcp)) => {
                tcp.set_nodelay(true).map_err(|e| Failure::Upstream(e.to_string()))?;
                return Ok(tcp);
            }
        }
    }
    Err(last)
}

async fn send<IO>(io: IO, request: Request<Full<Bytes>>) -> Result<Reply, Failure>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(MAX_HEAD_BYTES)
        .max_header_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .handshake(TokioIo::new(io))
        .await
        .map_err(hyper_failure)?;
    let driver = AbortOnDrop(tokio::spawn(connection));
    let response = sender.send_request(request).await.map_err(hyper_failure)?;
    let (parts, body) = response.into_parts();
    Ok(Reply { status: parts.status, headers: parts.headers, body, _driver: driver })
}

fn hyper_failure(e: hyper::Error) -> Failure {
    if e.is_parse_too_large() {
        return Failure::Blocked(BlockReason::ResponseTooLarge { limit: MAX_HEAD_BYTES });
    }
    Failure::Upstream(format!("HTTP: {e}"))
}

/// Ends the connection task when the exchange is over or abandoned (timeout, cap).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Sends a GET over an in-memory pipe to a "server" that answers `raw` once it has the head.
    async fn reply_from(raw: Vec<u8>) -> Result<Reply, Failure> {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && server.read_exact(&mut byte).await.is_ok() {
                head.push(byte[0]);
            }
            let _ = server.write_all(&raw).await;
            std::future::pending::<()>().await;
        });
        let request = Request::get("/").header("host", "x.example").body(Full::new(Bytes::new())).unwrap();
        send(client, request).await
    }

    fn too_large(result: Result<(Vec<u8>, HeaderMap), Failure>, limit: usize) {
        assert!(
            matches!(result, Err(Failure::Blocked(BlockReason::ResponseTooLarge { limit: l })) if l == limit),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn a_body_within_the_cap_is_read_whole() {
        let reply = reply_from(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello".to_vec()).await.unwrap();
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.read_body(5).await.unwrap().0, b"hello");
    }

    #[tokio::test]
    async fn trailers_are_read_with_the_body() {
        let raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-echo\r\n\r\n5\r\nhello\r\n0\r\nx-echo: reflected\r\n\r\n";
        let reply = reply_from(raw.to_vec()).await.unwrap();
        let (body, trailers) = reply.read_body(100).await.unwrap();
        assert_eq!(
            (body.as_slice(), trailers.get("x-echo").map(|v| v.as_bytes())),
            (&b"hello"[..], Some(&b"reflected"[..]))
        );
    }

    #[tokio::test]
    async fn a_declared_length_over_the_cap_is_refused_before_reading() {
        let reply = reply_from(b"HTTP/1.1 200 OK\r\ncontent-length: 999999999\r\n\r\nhel".to_vec()).await.unwrap();
        too_large(reply.read_body(1000).await, 1000);
    }

    #[tokio::test]
    async fn a_chunked_body_is_cut_at_the_cap() {
        let mut raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..20 {
            raw.extend_from_slice(b"100\r\n");
            raw.extend_from_slice(&[b'a'; 256]);
            raw.extend_from_slice(b"\r\n");
        }
        let reply = reply_from(raw).await.unwrap();
        too_large(reply.read_body(1000).await, 1000);
    }

    #[tokio::test]
    async fn an_oversized_head_is_refused() {
        let mut raw = b"HTTP/1.1 200 OK\r\nx-big: ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', MAX_HEAD_BYTES + 1));
        raw.extend_from_slice(b"\r\ncontent-length: 0\r\n\r\n");
        let result = reply_from(raw).await.map(|r| r.status);
        assert!(matches!(result, Err(Failure::Blocked(BlockReason::ResponseTooLarge { .. }))), "{result:?}");
    }
}
