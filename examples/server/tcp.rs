//! A TCP stream that can move to another thread's runtime. Tokio ties a socket to the reactor
//! of the runtime that registered it; a connection that moves to its user's shard after
//! authentication leaves the old reactor and joins the new one ([`Tcp::rehome`]), under TLS
//! too (the TLS stream owns this wrapper, not the socket).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The socket; `None` only if moving it failed (then every use is an error).
pub struct Tcp(Option<TcpStream>);

fn gone() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the socket was lost while moving",
    )
}

impl Tcp {
    /// Wraps a socket registered with the current runtime.
    pub fn new(tcp: TcpStream) -> Tcp {
        Tcp(Some(tcp))
    }

    /// The socket.
    pub fn get(&self) -> io::Result<&TcpStream> {
        self.0.as_ref().ok_or_else(gone)
    }

    /// Registers the socket with the current thread's runtime instead of the one it came from.
    pub fn rehome(&mut self) -> io::Result<()> {
        let tcp = self.0.take().ok_or_else(gone)?;
        self.0 = Some(TcpStream::from_std(tcp.into_std()?)?);
        Ok(())
    }

    fn pin(self: Pin<&mut Self>) -> io::Result<Pin<&mut TcpStream>> {
        self.get_mut().0.as_mut().map(Pin::new).ok_or_else(gone)
    }
}

impl AsyncRead for Tcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.pin() {
            Ok(tcp) => tcp.poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl AsyncWrite for Tcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.pin() {
            Ok(tcp) => tcp.poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.pin() {
            Ok(tcp) => tcp.poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.pin() {
            Ok(tcp) => tcp.poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}
