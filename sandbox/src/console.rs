//! The agent's stdout and stderr: captured in memory up to the job's log limit.
//! A write past the limit stops the job with a `log_bytes` limit error.

use crate::limits::{LimitExceeded, LimitKind};
use bytes::Bytes;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// How many bytes a single WASI write may offer; the limit is enforced on the total.
const WRITE_PERMIT: usize = 64 << 10;

/// A capped in-memory console shared by stdout and stderr.
#[derive(Clone)]
pub(crate) struct Console {
    buffer: Arc<Mutex<Vec<u8>>>,
    capacity: u64,
}

impl Console {
    /// A console that holds at most `capacity` bytes.
    pub(crate) fn new(capacity: u64) -> Self {
        Console { buffer: Arc::default(), capacity }
    }

    /// What the agent wrote so far.
    pub(crate) fn contents(&self) -> Vec<u8> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.buffer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `bytes`, or refuses all of them if they would pass the capacity.
    fn append(&self, bytes: &[u8]) -> Result<(), LimitExceeded> {
        let mut buffer = self.lock();
        if (buffer.len() + bytes.len()) as u64 > self.capacity {
            return Err(LimitExceeded { kind: LimitKind::LogBytes, limit: self.capacity });
        }
        buffer.extend_from_slice(bytes);
        Ok(())
    }
}

impl IsTerminal for Console {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Console {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

#[async_trait::async_trait]
impl Pollable for Console {
    async fn ready(&mut self) {}
}

#[async_trait::async_trait]
impl OutputStream for Console {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.append(&bytes).map_err(|exceeded| StreamError::Trap(wasmtime::Error::new(exceeded)))
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(WRITE_PERMIT)
    }
}

impl tokio::io::AsyncWrite for Console {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.append(buf).map(|()| buf.len()).map_err(std::io::Error::other))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_past_the_capacity_trap_with_the_log_limit() {
        let mut console = Console::new(8);
        console.write(Bytes::from_static(b"hello")).unwrap();
        let Err(StreamError::Trap(error)) = console.write(Bytes::from_static(b"world")) else {
            panic!("a write past the capacity must trap");
        };
        assert_eq!(error.downcast_ref::<LimitExceeded>().unwrap().kind, LimitKind::LogBytes);
        assert_eq!(console.contents(), b"hello");
    }
}
