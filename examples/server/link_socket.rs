//! The socket of a server-to-server link: plain TCP until STARTTLS, or TLS from the first byte
//! (XEP-0368), on tokio-rustls with the federation's TLS settings; writing what a stream has to
//! send, and ending it cleanly.

use crate::federation::Net;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use xmppkit::s2s::LinkError;

/// A link's socket: plain until STARTTLS (or TLS from the start).
pub enum Socket {
    /// Before TLS.
    Plain(TcpStream),
    /// Under TLS.
    Tls(Box<tokio_rustls::TlsStream<TcpStream>>),
}

impl Socket {
    pub async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Socket::Plain(s) => s.write_all(bytes).await,
            Socket::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
        }
    }

    /// Ends the connection: TLS's close_notify, then the TCP FIN.
    pub async fn shutdown(&mut self) {
        let _ = match self {
            Socket::Plain(s) => s.shutdown().await,
            Socket::Tls(s) => s.shutdown().await,
        };
    }

    pub async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Socket::Plain(s) => s.read(buf).await,
            Socket::Tls(s) => s.read(buf).await,
        }
    }

    pub async fn client_tls(self, net: &Net, domain: &str) -> Result<Socket, String> {
        let Socket::Plain(tcp) = self else {
            return Err("TLS twice".into());
        };
        let name = rustls_name(domain)?;
        let tls = net.tls.connector.connect(name, tcp).await;
        Ok(Socket::Tls(Box::new(
            tls.map_err(|e| e.to_string())?.into(),
        )))
    }

    pub async fn server_tls(self, net: &Net) -> Result<Socket, String> {
        let Socket::Plain(tcp) = self else {
            return Err("TLS twice".into());
        };
        let tls = net.tls.acceptor.accept(tcp).await;
        Ok(Socket::Tls(Box::new(
            tls.map_err(|e| e.to_string())?.into(),
        )))
    }

    /// The peer's certificate, as far as our trust roots vouch for it.
    pub fn peer_certificate(&self, net: &Net) -> crate::tls::PeerCert {
        match self {
            Socket::Tls(tls) => match tls.as_ref() {
                tokio_rustls::TlsStream::Server(s) => {
                    crate::tls::PeerCert::new(s.get_ref().1.peer_certificates(), net.tls.verifies)
                }
                _ => crate::tls::PeerCert::new(None, false),
            },
            _ => crate::tls::PeerCert::new(None, false),
        }
    }
}

/// Writes what a stream has to send.
pub async fn flush(
    socket: &mut Socket,
    mut next: impl FnMut() -> Option<bytes::Bytes>,
) -> Result<(), String> {
    while let Some(bytes) = next() {
        socket.write(&bytes).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A stream ended: its last bytes (a stream error, the closing tag) go out, then TLS and TCP
/// are closed; `reason`, if any, is the task's error.
pub async fn finish(
    socket: &mut Socket,
    next: impl FnMut() -> Option<bytes::Bytes>,
    reason: Option<LinkError>,
) -> Result<(), String> {
    let _ = flush(socket, next).await;
    socket.shutdown().await;
    reason.map_or(Ok(()), |e| Err(e.to_string()))
}

fn rustls_name(
    domain: &str,
) -> Result<tokio_rustls::rustls::pki_types::ServerName<'static>, String> {
    tokio_rustls::rustls::pki_types::ServerName::try_from(domain.to_owned())
        .map_err(|e| format!("{domain}: {e}"))
}
