//! Reading a connection's socket without a read buffer of its own while it is idle: wait until
//! the socket is readable, then make read attempts into a buffer lent by this thread's pool,
//! giving it back after each, until one finds nothing. Most connections of a chat server are idle most of the time, and a 16 KiB
//! buffer each was most of what an idle connection cost (issue #17, docs/benchmarks.md).

use crate::connection::Socket;
use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::Poll;
use tokio::io::{AsyncRead, ReadBuf};

/// The size of one read.
const READ_SIZE: usize = 16 * 1024;
/// Buffers kept for reuse per thread: one per connection reading at the same moment.
const POOL_MAX: usize = 32;

thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// What a read attempt found.
pub enum Read {
    /// These many bytes were handed to the consumer.
    Bytes(usize),
    /// Nothing after all (a partial TLS record, a spurious wake-up, nothing left): wait again.
    Nothing,
    /// The peer closed the connection.
    Eof,
}

/// One connection's reading state.
pub struct Reader {
    /// Whether to try a read before waiting for the socket. The socket's readiness says nothing
    /// of what the TLS layer holds (plaintext decrypted along with the handshake, or more than
    /// one read took), so the task waits for the socket only after a read attempt found nothing.
    try_first: bool,
}

impl Default for Reader {
    fn default() -> Self {
        Reader { try_first: true }
    }
}

impl Reader {
    /// Waits until a read may find bytes. Holds no buffer.
    pub async fn ready(&self, socket: &Socket) -> std::io::Result<()> {
        if self.try_first {
            return Ok(());
        }
        socket.tcp()?.readable().await
    }

    /// One read attempt, which does not wait: the bytes read go to `consume` in a pooled buffer.
    pub async fn read(
        &mut self,
        socket: &mut Socket,
        consume: impl FnOnce(&[u8]),
    ) -> std::io::Result<Read> {
        let mut buf = POOL
            .with(|p| p.borrow_mut().pop())
            .unwrap_or_else(|| vec![0u8; READ_SIZE]);
        let mut read = ReadBuf::new(&mut buf);
        let polled = poll_fn(|cx| {
            Poll::Ready(match socket {
                Socket::Plain(s) => Pin::new(s).poll_read(cx, &mut read),
                Socket::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, &mut read),
            })
        })
        .await;
        let n = read.filled().len();
        let outcome = match polled {
            Poll::Pending => Ok(Read::Nothing),
            Poll::Ready(Err(e)) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(Read::Nothing),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Ready(Ok(())) if n == 0 => Ok(Read::Eof),
            Poll::Ready(Ok(())) => {
                consume(&buf[..n]);
                Ok(Read::Bytes(n))
            }
        };
        self.try_first = matches!(outcome, Ok(Read::Bytes(_)));
        POOL.with(|p| {
            let mut pool = p.borrow_mut();
            if pool.len() < POOL_MAX {
                pool.push(buf);
            }
        });
        outcome
    }
}
